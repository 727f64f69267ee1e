"""Property 4: every invalid-request strategy is refused with exactly the rule it targets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pooled_worlds import operation_worlds

from vmrules import OPERATIONS, RULES, World, check, execute
from vmrules.testing.strategies import invalid_requests

WORLDS_4 = operation_worlds(max_instances=4)  # built here, not inside a test

RULE_IDS = {r.id for r in RULES}


@pytest.mark.parametrize("operation", OPERATIONS)
@given(data=st.data())
def test_invalid_requests_are_refused_by_their_rule(operation: str, data: st.DataObject) -> None:
    world = data.draw(WORLDS_4)
    params, rule_id = data.draw(invalid_requests(world, operation))
    assert rule_id in RULE_IDS
    outcome = execute(world, operation, params)
    assert outcome.error is not None, f"{rule_id}: {params} succeeded"
    assert outcome.error.rule == rule_id, (params, outcome.error)
    assert outcome.world is world
    assert rule_id in {e.rule for e in check(world, operation, params)}


@pytest.mark.parametrize("caller", ["bob", "member01"])
@pytest.mark.parametrize("operation", ["shareImage", "unShareImage", "resizeInstance", "deleteImage"])
@given(data=st.data())
def test_invalid_requests_hold_for_any_caller_and_the_default_world(caller: str, operation: str,
                                                                    data: st.DataObject) -> None:
    """What a plugin user draws: the default world (jdcloud_world) or a generated one, and a caller other than
    alice (the requests named alice or bob whoever called, and a resize of an unknown instance)."""
    world = data.draw(st.sampled_from([World.default(), data.draw(WORLDS_4)]))
    params, rule_id = data.draw(invalid_requests(world, operation, caller=caller))
    outcome = execute(world, operation, params, caller=caller)
    assert outcome.error is not None, f"{rule_id}: {params} succeeded"
    assert outcome.error.rule == rule_id, (params, outcome.error)
