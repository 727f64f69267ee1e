"""``Batch.new_ids`` gives exactly what ``new_id`` called once per id gives, whichever derived ids the world
already holds: the ids, the sequence after each, the batch's sequence and the ids it counts as handed out."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from vmrules import World
from vmrules.builders import add_instance
from vmrules.ids import derive_id
from vmrules.state import Batch

PREFIXES = ("i-", "port-", "vol-", "fip-")
_SOME_ID, _WORLD = add_instance(World.default())
_SOME_INSTANCE = _WORLD.instances[_SOME_ID]


def _holding(ids: list[str]) -> World:
    """The default world with instances under ``ids`` (new_id refuses any id some map of the world holds)."""
    instances = _WORLD.instances
    for rid in ids:
        instances = instances.set(rid, replace(_SOME_INSTANCE, instance_id=rid))
    return _WORLD.evolve(instances=instances)


@given(prefixes=st.lists(st.sampled_from(PREFIXES), min_size=1, max_size=4), count=st.integers(0, 12),
       taken=st.lists(st.tuples(st.sampled_from(PREFIXES), st.integers(1, 60)), max_size=4))
def test_new_ids_are_the_ids_new_id_gives_one_by_one(prefixes: list[str], count: int,
                                                     taken: list[tuple[str, int]]) -> None:
    # ``taken`` names derived ids just after the world's sequence, so they fall inside the block when it is long
    # enough (the block is then made one id at a time) and outside it when not.
    world = _holding([derive_id(prefix, _WORLD.sequence + offset) for prefix, offset in taken])
    by_block, one_by_one = Batch(world), Batch(world)
    ids, sequences = by_block.new_ids(prefixes, count)
    expected_ids, expected_sequences = [], []
    for _ in range(count):
        for prefix in prefixes:
            expected_ids.append(one_by_one.new_id(prefix))
            expected_sequences.append(one_by_one.sequence)
    assert (ids, sequences) == (expected_ids, expected_sequences)
    assert by_block.sequence == one_by_one.sequence
    assert by_block.done() == one_by_one.done()  # and the same ids are refused to later calls:
    assert by_block.new_id("i-") == one_by_one.new_id("i-")
