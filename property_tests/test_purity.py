"""Property 2, purity and determinism; property 3, check agrees with execute."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pooled_worlds import operation_worlds

from vmrules import OPERATIONS, World, check, execute
from vmrules.testing.strategies import invalid_requests, valid_requests

WORLDS_3 = operation_worlds(max_instances=3)  # built here, not inside a test
WORLDS_4 = operation_worlds(max_instances=4)  # built here, not inside a test


def _request(data: st.DataObject, world: World, operation: str) -> dict[str, object]:
    if data.draw(st.integers(0, 3)) == 0:
        params, _ = data.draw(invalid_requests(world, operation))
        return params
    return data.draw(valid_requests(world, operation))


@pytest.mark.parametrize("operation", OPERATIONS)
@given(data=st.data())
def test_input_world_unchanged_and_same_call_same_outcome(operation: str, data: st.DataObject) -> None:
    world = data.draw(WORLDS_4)
    before = world.to_dict()
    entities = dict(world.instances.items())
    params = _request(data, world, operation)
    first = execute(world, operation, params)
    second = execute(world, operation, params)
    assert world.to_dict() == before
    assert all(world.instances[k] is v for k, v in entities.items())
    assert first == second
    assert first.world == second.world
    check(world, operation, params)
    assert world.to_dict() == before


@pytest.mark.parametrize("operation", OPERATIONS)
@given(data=st.data())
def test_check_agrees_with_execute(operation: str, data: st.DataObject) -> None:
    world = data.draw(WORLDS_4)
    params = _request(data, world, operation)
    caller = data.draw(st.sampled_from([None, None, None, "bob", "carol", "nobody"]))
    outcome = execute(world, operation, params, caller=caller)
    errors = check(world, operation, params, caller=caller)
    assert (errors == []) == outcome.ok
    if errors:
        assert errors[0] == outcome.error


def _with_unknown_name(data: st.DataObject, params: dict[str, object]) -> dict[str, object]:
    """A copy of ``params`` with a name no request defines added at a random object inside it."""
    copied = copy.deepcopy(params)
    places: list[dict[str, object]] = [copied]
    for value in copied.values():
        if isinstance(value, dict):
            places.append(value)
    place = data.draw(st.sampled_from(places))
    place[data.draw(st.sampled_from(["colour", "dataDisk", "instanceid", "x-extra"]))] = data.draw(
        st.sampled_from([1, "x", None, [], {}]))
    return copied


@pytest.mark.parametrize("operation", OPERATIONS)
@given(data=st.data())
def test_check_agrees_with_execute_in_each_mode(operation: str, data: st.DataObject) -> None:
    world = data.draw(WORLDS_3)
    params = _request(data, world, operation)
    if data.draw(st.booleans()):
        params = _with_unknown_name(data, params)
    for strict in (False, True):
        outcome = execute(world, operation, params, strict=strict)
        errors = check(world, operation, params, strict=strict)
        assert (errors == []) == outcome.ok
        if errors:
            assert errors[0] == outcome.error
