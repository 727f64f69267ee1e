"""The emulator the conformance kit starts keeps its world's clock in lockstep with the model's.

The model's clock moves only when the kit advances it; an emulator whose clock followed wall time stamped what
it created later than the model did, and the listings ordered by creation time (oldest first, ties by id) then
came out in a different order on a slow or loaded machine (describeImages showed another image at the same
index: the intermittent "result.images[1].desc" divergence of the HTTP self-test).
"""

from __future__ import annotations

import time

from vmrules.clock import iso
from vmrules.defaults import MAIN, NORTH
from vmrules.engine import execute, settle
from vmrules.testing.adapters import EmulatorProcess, HttpAdapter
from vmrules.testing.conformance import edge_world

# More than one whole second of the world's clock: a clock that followed wall time has moved by then.
LONGER_THAN_A_CLOCK_SECOND = 1.2


def test_an_image_created_after_wall_time_passed_gets_the_model_s_creation_time() -> None:
    world = edge_world()
    stopped = sorted(i.instance_id for i in world.instances.values()
                     if i.owner == MAIN and i.region == NORTH and i.status == "stopped")[0]
    create = {"regionId": NORTH, "instanceId": stopped, "name": "made-later", "description": "d" * 240}
    model = execute(world, "createImage", create, caller=MAIN)
    assert model.ok, model.error
    describe = {"regionId": NORTH, "imageId": model.result["imageId"]}
    reference = execute(settle(model.world), "describeImage", describe, caller=MAIN)
    with EmulatorProcess() as emulator:
        adapter = HttpAdapter(emulator.url)
        assert adapter.reset(world.to_dict())
        time.sleep(LONGER_THAN_A_CLOCK_SECOND)  # what a loaded machine does between two steps
        created = adapter.call("createImage", create, MAIN)
        adapter.settle()
        system = adapter.call("describeImage", describe, MAIN)
    assert created["result"]["imageId"] == describe["imageId"], created
    assert system["result"]["image"]["createTime"] == reference.result["image"]["createTime"] == iso(world.clock)


def test_the_emulator_adapter_moves_the_emulator_s_clock_in_lockstep_with_the_model_s() -> None:
    from vmrules.testing.adapters import EmulatorAdapter
    from vmrules.testing.conformance.lockstep import Lockstep

    world = edge_world()
    running = sorted(i.instance_id for i in world.instances.values()
                     if i.owner == MAIN and i.region == NORTH and i.status == "running")[0]
    vnc = {"regionId": NORTH, "instanceId": running}
    with EmulatorProcess() as emulator:
        assert not Lockstep(HttpAdapter(emulator.url)).can_advance  # another system's clock need not follow
        lock = Lockstep(EmulatorAdapter(emulator.url))
        assert lock.can_advance and lock.start() is None
        assert lock.request("describeInstanceVncUrl", vnc, MAIN) is None
        before = lock.last[1]["result"]["vncUrl"] if lock.last else None
        # Four days: the edge world's prepaid instance expires; observations compare time fields exactly.
        assert lock.advance(4 * 86400) is None
        assert lock.request("describeInstanceVncUrl", vnc, MAIN) is None
        after = lock.last[1]["result"]["vncUrl"] if lock.last else None
        assert lock.settle() is None
    assert before is not None and after is not None and before != after
    assert "launchTime" not in lock.volatile
