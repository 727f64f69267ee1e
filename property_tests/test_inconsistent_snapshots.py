"""The loader refuses inconsistent worlds: valid snapshots mutated into (mostly) inconsistent ones are either
refused with the path of an entry of the document, or loaded into a world that satisfies every invariant, on
which no operation raises or breaks an invariant."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from vmrules import World, execute, settle
from vmrules.snapshot import SnapshotError
from vmrules.testing.invariants import check_invariants
from vmrules.testing.strategies import invalid_requests, operations, valid_requests, worlds

Path = tuple[str | int, ...]
# Members that only describe (rendered for reading, ignored when read) are left alone: mutating them proves nothing.
_DERIVED = {"privateIpAddress", "elasticIpAddress", "enable", "instanceName", "name", "description", "desc",
            "hostname", "createTime", "createdTime", "launchTime", "attachTime", "started", "chargeStartTime",
            "chargeExpiredTime", "chargeRetireTime", "macAddress", "passwordDigest", "pendingPasswordDigest"}


def _leaves(node: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in _DERIVED:
                yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        if node and path:
            yield path, node  # a list itself can be mutated (an entry duplicated)
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, index))
    elif path and not isinstance(node, bool):
        yield path, node


def _identifiers(doc: dict[str, Any]) -> list[str]:
    """Every id and pin in the document: references swapped for another resource's id make the worst worlds."""
    found = {leaf for _, leaf in _leaves(doc) if isinstance(leaf, str) and re.fullmatch(r"[a-z]+-[\w-]+|\w+", leaf)}
    return sorted(found)


def _set(doc: Any, path: Path, value: Any) -> None:
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


@st.composite
def inconsistent_snapshots(draw: st.DrawFn) -> dict[str, Any]:
    """A valid world's snapshot with one to three entries mutated: a reference swapped for another id, a number
    made negative or large, a list entry duplicated, an owner changed."""
    doc = copy.deepcopy(draw(worlds(max_instances=3)).to_dict())
    ids = _identifiers(doc)
    for _ in range(draw(st.integers(1, 3))):
        leaves = [(p, v) for p, v in _leaves(doc) if p[0] not in ("formatVersion", "clock", "sequence")]
        path, value = draw(st.sampled_from(leaves))
        if isinstance(value, list):
            _set(doc, path, [*value, copy.deepcopy(draw(st.sampled_from(value)))])
        elif isinstance(value, int):
            _set(doc, path, draw(st.sampled_from([-1, -value, value + 1, 2**31, 0])))
        elif isinstance(value, str):
            _set(doc, path, draw(st.sampled_from([*ids, ""])))
    return doc


def _document_has(doc: dict[str, Any], path: str) -> bool:
    """Whether the first two steps of ``path`` (``collection[index]``) name an entry of the document."""
    match = re.match(r"(\w+)(?:\[(\d+)\])?", path)
    assert match is not None, path
    collection, index = match.group(1), match.group(2)
    if collection not in doc:
        return False
    return index is None or int(index) < len(doc[collection])


@given(data=st.data())
def test_an_inconsistent_snapshot_is_refused_with_a_path_or_loads_consistent(data: st.DataObject) -> None:
    doc = data.draw(inconsistent_snapshots())
    try:
        world = World.from_dict(doc)
    except SnapshotError as error:
        assert error.path, error
        assert _document_has(doc, error.path), error
        return
    assert check_invariants(world) == []
    for _ in range(data.draw(st.integers(1, 4))):
        operation = data.draw(operations())
        params = data.draw(st.one_of(valid_requests(world, operation), invalid_requests(world, operation)))
        outcome = execute(world, operation, params)  # must not raise
        if outcome.ok:
            world = outcome.world
            assert check_invariants(world) == [], (operation, params)
    assert check_invariants(settle(world)) == []


# A check of the generator, not a property to explore: the same examples under every profile. Some mutations
# are harmless (a quota one higher), so a random run of the thorough profile's 300 examples would sooner or
# later draw 5 harmless ones in a row (it did, with --hypothesis-seed=237103927527744828435497711860393852473).
@settings(derandomize=True, max_examples=30, database=None)
@given(data=st.data())
def test_mutations_mostly_make_inconsistent_worlds(data: st.DataObject) -> None:
    # The generator is worth running only if what it makes is refused most of the time: check one sample.
    refused = 0
    samples = [data.draw(inconsistent_snapshots()) for _ in range(5)]
    for doc in samples:
        try:
            World.from_dict(doc)
        except SnapshotError:
            refused += 1
    assert refused >= 1
