"""Property 7, tenant isolation: whatever account B does, every resource of account A stays as it was.

B may run instances from images A shared with it and copy them into its own images; neither changes A's
image, so the comparison below exempts nothing (docs/decisions/property-testing.md).
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from vmrules import World, execute
from vmrules.defaults import MAIN, SECOND
from vmrules.testing.strategies import arbitrary_params, invalid_requests, operations, valid_requests, worlds


def resources_of(world: World, pin: str) -> dict[str, Any]:
    """Everything ``pin`` owns, with the tasks running on it and its usage counters."""
    def owned(entities: Any) -> dict[Any, Any]:
        return {k: v for k, v in entities.items() if v.owner == pin}

    view: dict[str, Any] = {
        name: owned(getattr(world, name))
        for name in ("instances", "images", "disks", "network_interfaces", "elastic_ips", "vpcs", "subnets",
                     "security_groups", "keypairs", "snapshots", "templates", "availability_groups")
    }
    mine = {rid for entities in view.values() for rid in entities}
    view["tasks"] = {k: v for k, v in world.tasks.items() if k in mine}
    view["usage"] = {k: v for k, v in world.usage.items() if k[0] == pin}
    view["client_tokens"] = {k: v for k, v in world.client_tokens.items() if k[0] == pin}
    view["account"] = world.accounts.get(pin)
    return view


@given(data=st.data())
def test_other_accounts_cannot_touch_my_resources(data: st.DataObject) -> None:
    world = data.draw(worlds())
    before = resources_of(world, MAIN)
    for _ in range(data.draw(st.integers(1, 8))):
        operation = data.draw(operations())
        kind = data.draw(st.sampled_from(["valid", "valid", "invalid", "junk", "aimed"]))
        if kind == "valid":
            params = data.draw(valid_requests(world, operation, caller=SECOND))
        elif kind == "invalid":
            params, _ = data.draw(invalid_requests(world, operation, caller=SECOND))
        elif kind == "aimed":  # B names A's resources: a request that would succeed for A
            params = data.draw(valid_requests(world, operation, caller=MAIN))
        else:
            params = data.draw(arbitrary_params(operation))
        outcome = execute(world, operation, params, caller=SECOND)
        if outcome.ok:
            world = outcome.world
    assert resources_of(world, MAIN) == before
