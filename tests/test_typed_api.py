"""The typed API: one callable per operation, the same objects ``execute`` dispatches onto."""

from __future__ import annotations

import re

from helpers import NORTH, instance

import vmrules.api as api
from vmrules import OPERATION_TABLE, OPERATIONS, World, check, execute


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_every_operation_has_a_typed_entry_point() -> None:
    for name in OPERATIONS:
        assert getattr(api, _snake(name)) is OPERATION_TABLE[name]


def test_typed_call_equals_the_wire_call(world: World) -> None:
    iid, world = instance(world)
    typed = api.stop_instance(world, api.StopInstanceRequest(regionId=NORTH, instanceId=iid))
    wire = execute(world, "stopInstance", {"regionId": NORTH, "instanceId": iid})
    assert typed == wire and typed.ok
    again = api.stop_instance(typed.world, api.StopInstanceRequest(regionId=NORTH, instanceId=iid))
    assert again.error == check(typed.world, "stopInstance", {"regionId": NORTH, "instanceId": iid})[0]
    every = api.stop_instance.violations(typed.world, api.StopInstanceRequest(regionId=NORTH, instanceId=iid))
    assert [e.rule for e in every] == ["STOP_INSTANCE.STATUS_RUNNING", "STOP_INSTANCE.NO_TASK"]
    assert every[0] == again.error


def test_sdk_parameter_objects_are_accepted(world: World) -> None:
    from jdcloud_sdk.services.vm.apis.StopInstanceRequest import StopInstanceParameters

    iid, world = instance(world)
    out = execute(world, "stopInstance", StopInstanceParameters(NORTH, iid))
    assert out.ok and out.world.instances[iid].status == "stopping"
