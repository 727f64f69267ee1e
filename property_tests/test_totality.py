"""Property 1, totality: execute and check never raise, whatever the operation, parameters or caller."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pooled_worlds import operation_worlds

from vmrules import OPERATION_TABLE, OPERATIONS, Outcome, VmError, World, check, execute
from vmrules.errors import Status
from vmrules.plain import MAX_DEPTH
from vmrules.testing.hostile import Planted, hostile_params, hostile_values
from vmrules.testing.strategies import arbitrary_params, callers, json_like, valid_requests

WORLDS_3 = operation_worlds(max_instances=3)  # built here, not inside a test

WORLD = World.default()
STATUSES = {s.value for s in Status}


def _assert_value(world: World, operation: Any, params: Any, caller: Any) -> None:
    outcome = execute(world, operation, params, caller=caller)
    assert isinstance(outcome, Outcome)
    errors = check(world, operation, params, caller=caller)
    assert isinstance(errors, list)
    assert all(isinstance(e, VmError) for e in errors)
    if outcome.error is not None:
        assert outcome.error.status in STATUSES
        assert outcome.world is world
        assert outcome.result == {}


@pytest.mark.parametrize("operation", OPERATIONS)
@given(params=st.data())
def test_arbitrary_params_never_raise(operation: str, params: st.DataObject) -> None:
    value = params.draw(arbitrary_params(operation))
    caller = params.draw(st.one_of(st.none(), callers(WORLD)))
    _assert_value(WORLD, operation, value, caller)


@given(operation=json_like(max_leaves=3), params=json_like(max_leaves=5))
def test_unknown_operations_are_refused(operation: Any, params: Any) -> None:
    outcome = execute(WORLD, operation, params)
    if isinstance(operation, str) and operation in OPERATION_TABLE:
        return
    assert outcome.error is not None and outcome.error.rule == "REQUEST.UNKNOWN_OPERATION"
    assert check(WORLD, operation, params)[0].rule == "REQUEST.UNKNOWN_OPERATION"


@pytest.mark.parametrize("operation", OPERATIONS)
@given(data=st.data())
def test_valid_requests_with_one_field_replaced_never_raise(operation: str, data: st.DataObject) -> None:
    world = data.draw(WORLDS_3)
    params = data.draw(valid_requests(world, operation))
    key = data.draw(st.sampled_from(sorted(params)))
    params[key] = data.draw(json_like(max_leaves=6))
    _assert_value(world, operation, params, data.draw(callers(world)))


# ---- hostile objects (issue 14 item 6) -------------------------------------------------------------------

@given(data=st.data())
def test_hostile_objects_never_raise(data: st.DataObject) -> None:
    operation = data.draw(st.sampled_from(OPERATIONS))
    planted: Planted = data.draw(hostile_params(operation, WORLD))
    world = WORLD if planted.world is None else planted.world
    strict = data.draw(st.booleans())
    outcome = execute(world, operation, planted.params, strict=strict)
    errors = check(world, operation, planted.params, strict=strict)
    assert isinstance(outcome, Outcome) and all(isinstance(e, VmError) for e in errors)
    assert (errors == []) == outcome.ok
    if outcome.error is not None and outcome.error.rule == "REQUEST.UNREADABLE":
        assert outcome.error.status == "INVALID_ARGUMENT"
        # The first part that cannot be read is named: the planted value, or a branch the reader cut off at
        # MAX_DEPTH before it (arbitrary_params nests some requests 500 levels deep).
        field = outcome.error.field or ""
        cut = outcome.error.message.endswith(f"nests deeper than {MAX_DEPTH} levels")
        assert planted.path is None or field.startswith(planted.path) or (cut and field.count(".") + 1 == MAX_DEPTH)


@given(name=hostile_values(), caller=hostile_values())
def test_hostile_operation_names_and_callers_never_raise(name: Any, caller: Any) -> None:
    for operation in (name, "stopInstance"):
        outcome = execute(WORLD, operation, {"regionId": "cn-north-1", "instanceId": "i-x"}, caller=caller)
        assert isinstance(outcome, Outcome) and not outcome.ok
        assert isinstance(check(WORLD, operation, {"regionId": "cn-north-1"}, caller=caller), list)
