"""The ``task_starts`` index (vmrules.task_starts): the tasks in progress by start, which ``settle(started_by=...)``
reads so that completing the due tasks costs what is due (the emulator and the mock call it on every request
while tasks take time). It must equal a rebuild after every way a task is put or removed, and the partial
settle must complete exactly the tasks its definition names, in resource-id order."""

from __future__ import annotations

import pytest

from vmrules import World, advance, execute, settle, state
from vmrules.builders import add_instance, add_instances
from vmrules.defaults import NORTH
from vmrules.engine import _complete
from vmrules.model import Task
from vmrules.state import Batch, BulkBatch
from vmrules.task_starts import NO_TASKS, TaskStarts, build_task_starts


def _rebuilt(world: World) -> bool:
    return world.task_starts == build_task_starts(world.tasks)


def _staggered(world: World) -> World:
    """Tasks started at four clock values (ids are derived, so start order and id order differ): three
    instances being created at each of three, and a running one stopped at the last."""
    stopped, world = add_instance(world)
    for step in (0, 30, 30):
        world = advance(world, step)
        for _ in range(3):
            _, world = add_instance(world, task="createInstances", status="pending")
    world = advance(world, 5)
    outcome = execute(world, "stopInstance", {"regionId": NORTH, "instanceId": stopped})
    assert outcome.ok, outcome.error
    return outcome.world


def _by_definition(world: World, started_by: int) -> World:
    """settle(started_by=...) as its docstring defines it: every task started at or before ``started_by``,
    completed in resource-id order, read from the tasks themselves (no index)."""
    return _complete(world, sorted(rid for rid, task in world.tasks.items() if task.started <= started_by))


def test_partial_settle_completes_exactly_the_tasks_started_by_then(world: World) -> None:
    busy = _staggered(world)
    starts = sorted({task.started for task in busy.tasks.values()})
    assert len(starts) == 4 and _rebuilt(busy)
    for cutoff in (starts[0] - 1, starts[0], starts[1] - 1, starts[1], starts[2], starts[3], starts[3] + 1):
        done = settle(busy, started_by=cutoff)
        assert done == _by_definition(busy, cutoff), cutoff
        assert _rebuilt(done)
        left = {rid for rid, task in busy.tasks.items() if task.started > cutoff}
        assert set(done.tasks) == left, cutoff


def test_tasks_started_by_are_the_tasks_started_at_or_before_the_clock(world: World) -> None:
    busy = _staggered(world)
    starts = sorted({task.started for task in busy.tasks.values()})
    for cutoff in (starts[0] - 1, *starts, starts[-1] + 1):
        due = busy.tasks_started_by(cutoff)
        assert len(due) == len(set(due))
        assert set(due) == {rid for rid, task in busy.tasks.items() if task.started <= cutoff}, cutoff
    assert busy.task_starts.starts == tuple(starts)
    assert World.default().tasks_started_by(10**12) == []


def test_with_task_and_without_task_keep_the_index(world: World) -> None:
    rid, world = add_instance(world)
    once = world.with_task(rid, "stopInstance")
    assert once.task_starts.starts == (world.clock,) and once.tasks_started_by(world.clock) == [rid]
    assert once.with_task(rid, "stopInstance").task_starts == once.task_starts  # the same start: no change
    moved = advance(once, 60).with_task(rid, "startInstance")  # the same resource's task, started later
    assert moved.task_starts.starts == (world.clock + 60,) and _rebuilt(moved)
    assert moved.tasks_started_by(world.clock + 59) == []
    assert moved.without_task(rid).task_starts == NO_TASKS and moved.without_task(rid).task_starts.starts == ()
    assert moved.without_task("i-notthere") is moved


def test_entries_go_in_and_out_at_any_start_time() -> None:
    """The index's own edges: a start time gained or lost first, last or in the middle keeps the tuple of start
    times ascending and in step with the sets; taking out an entry that is not there changes nothing."""
    index = NO_TASKS
    for started, rid in ((20, "b"), (10, "a"), (30, "c"), (20, "d"), (15, "e")):
        index = index.with_entry(started, rid)
    assert index.starts == (10, 15, 20, 30)
    assert index.with_entry(20, "b") is index
    assert index.without_entry(20, "x") is index and index.without_entry(25, "a") is index
    assert NO_TASKS.without_entry(10, "a") is NO_TASKS
    assert index.without_entry(20, "b").starts == (10, 15, 20, 30)  # "d" still started then
    assert index.without_entry(15, "e").starts == (10, 20, 30)  # a middle start time lost
    assert index.without_entry(10, "a").starts == (15, 20, 30)
    assert index.without_entry(30, "c").starts == (10, 15, 20)
    assert sorted(index.without_entry(15, "e").started_by(20)) == ["a", "b", "d"]
    assert TaskStarts(index.by_start, (10, 20, 30)) != index  # start times out of step with the sets


@pytest.mark.parametrize("count", [1, 2, 150])
def test_bulk_builds_extend_the_index_as_one_by_one_builds_do(world: World, count: int) -> None:
    busy = advance(_staggered(world), 1)
    ids, bulk = add_instances(busy, count, task="createInstances", status="pending")
    one = busy
    for _ in range(count):
        _, one = add_instance(one, task="createInstances", status="pending")
    assert bulk.task_starts == one.task_starts and _rebuilt(bulk)
    assert set(bulk.task_starts.by_start[bulk.clock]) == set(ids)  # the newest start: these alone


@pytest.mark.parametrize("batch_kind", [Batch, BulkBatch])
@pytest.mark.parametrize("count", [1, 150])
def test_a_batch_replacing_tasks_moves_their_entries(world: World, batch_kind: type[Batch[World]],
                                                     count: int) -> None:
    busy = _staggered(world)
    later = advance(busy, 1000)
    batch = batch_kind(later)
    replaced = sorted(busy.tasks)[:2]  # tasks already in progress, started anew
    for rid in replaced:
        batch.put("tasks", rid, Task("startInstance", rid, later.clock))
    for i in range(count):  # and tasks on resources without one
        rid = f"i-fresh{i:05d}"
        batch.put("tasks", rid, Task("stopInstance", rid, later.clock))
    done = batch.done()
    assert _rebuilt(done)
    assert not set(replaced) & set(done.tasks_started_by(busy.clock))


def test_a_world_made_from_maps_or_read_from_a_snapshot_derives_the_index(world: World) -> None:
    busy = _staggered(world)
    assert World.from_json(busy.to_json()).task_starts == busy.task_starts
    fresh = busy.evolve(tasks=busy.tasks.delete(next(iter(busy.tasks))))  # no index handed over: rebuilt
    assert _rebuilt(fresh) and fresh.task_starts != busy.task_starts


def test_transitions_and_builds_keep_the_index_without_rebuilding_it(world: World,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Every way a transition or builder puts or removes a task hands the updated index over: a rebuild (what
    ``evolve`` falls back to without it) would cost every task in progress, on every request."""
    busy = _staggered(world)
    iid, busy = add_instance(busy)

    def no_rebuild(tasks: object) -> None:
        raise AssertionError("task_starts was rebuilt instead of kept")

    monkeypatch.setattr(state, "build_task_starts", no_rebuild)
    moved = busy.with_task(iid, "stopInstance").without_task(iid).with_task(iid, "startInstance")
    _, one = add_instance(moved, task="createInstances", status="pending")
    for count in (2, 100):  # the main subnet (a /24) holds them all
        _, bulk = add_instances(one, count, task="createInstances", status="pending")
        _, bulk = add_instances(bulk, count)  # no task: the index is left as it is
    due = settle(bulk, started_by=busy.clock)  # the older tasks, startInstance on iid among them
    outcome = execute(due, "stopInstance", {"regionId": NORTH, "instanceId": iid})  # an operation's task
    assert outcome.ok, outcome.error
    done = settle(outcome.world)
    monkeypatch.undo()
    assert all(_rebuilt(w) for w in (moved, one, bulk, due, outcome.world)) and done.task_starts == NO_TASKS
