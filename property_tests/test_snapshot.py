"""Property 5: snapshots round-trip and are JSON; settle is idempotent (on generated and evolved worlds)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from vmrules import World, execute, settle
from vmrules.testing.invariants import check_invariants
from vmrules.testing.strategies import operations, valid_requests, worlds


def _evolve(data: st.DataObject, world: World) -> World:
    """The world after a few successful operations (so snapshots also cover tasks, copies, new instances)."""
    for _ in range(data.draw(st.integers(0, 4))):
        operation = data.draw(operations())
        outcome = execute(world, operation, data.draw(valid_requests(world, operation)))
        if outcome.ok:
            world = outcome.world
    return world


@given(data=st.data())
def test_snapshot_round_trip_through_json(data: st.DataObject) -> None:
    world = _evolve(data, data.draw(worlds()))
    snapshot = world.to_dict()
    text = json.dumps(snapshot, ensure_ascii=False, allow_nan=False)
    assert World.from_dict(json.loads(text)) == world
    assert World.from_dict(snapshot) == world


@given(data=st.data())
def test_settle_is_idempotent_and_leaves_no_task(data: st.DataObject) -> None:
    world = _evolve(data, data.draw(worlds()))
    settled = settle(world)
    assert not settled.tasks
    assert settle(settled) == settled
    assert check_invariants(settled) == []


@given(world=worlds())
def test_generated_worlds_satisfy_the_invariants(world: World) -> None:
    assert check_invariants(world) == []
