"""The ``task_starts`` index: the tasks in progress by start time (derived data, as in ``vmrules.indexes``).

``settle(started_by=t)`` completes the tasks started at or before ``t``; the emulator and the mock call it
before every request while tasks take time. With this index, finding the due tasks costs the due tasks (and
the distinct start times before ``t``), not every task in progress.

Per start time, the resources whose task started then, as a persistent map used as a set; beside it, the
start times in use, ascending. Putting or removing one task changes one set and the map of sets (O(log n)).
The tuple of start times changes only when a start time gains its first task or loses its last. It holds one
entry per distinct start time of the tasks in progress. Start times are clock seconds, so the emulator has at
most one per second of its task time.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass

from immutables import Map

from vmrules.model import Task

Resources = Map[str, None]  # a persistent set of resource ids


# Equality and hash over both fields, as the dataclass makes them: ``starts`` is derived from ``by_start``, but an
# index whose tuple of start times drifted from its sets must not equal its rebuild (how tests check the index).
@dataclass(frozen=True, slots=True)
class TaskStarts:
    """The resources with a task in progress, by the clock value their task started at."""

    by_start: Map[int, Resources]
    starts: tuple[int, ...]  # the keys of ``by_start``, ascending

    def with_entry(self, started: int, rid: str) -> TaskStarts:
        """The index with the task of ``rid`` started at ``started`` (unchanged if it is there)."""
        resources = self.by_start.get(started)
        if resources is None:
            at = bisect.bisect_left(self.starts, started)  # usually the end: tasks start at the world's clock
            return TaskStarts(self.by_start.set(started, Map({rid: None})),
                              (*self.starts[:at], started, *self.starts[at:]))
        if rid in resources:
            return self
        return TaskStarts(self.by_start.set(started, resources.set(rid, None)), self.starts)

    def without_entry(self, started: int, rid: str) -> TaskStarts:
        """The index without the task of ``rid`` started at ``started`` (unchanged if it is not there)."""
        resources = self.by_start.get(started)
        if resources is None or rid not in resources:
            return self
        rest = resources.delete(rid)
        if rest:
            return TaskStarts(self.by_start.set(started, rest), self.starts)
        at = bisect.bisect_left(self.starts, started)
        return TaskStarts(self.by_start.delete(started), (*self.starts[:at], *self.starts[at + 1:]))

    def started_by(self, clock: int) -> list[str]:
        """The resources whose task started at or before ``clock``, in no particular order."""
        due: list[str] = []
        by_start = self.by_start
        for started in self.starts[:bisect.bisect_right(self.starts, clock)]:
            due.extend(by_start[started])
        return due


NO_TASKS = TaskStarts(Map(), ())


def build_task_starts(tasks: Mapping[str, Task]) -> TaskStarts:
    """The index from scratch (keyed as ``tasks`` is: by the resource id ``settle`` completes)."""
    groups: dict[int, dict[str, None]] = {}
    for rid, task in tasks.items():
        groups.setdefault(task.started, {})[rid] = None
    return TaskStarts(Map({started: Map(rids) for started, rids in groups.items()}), tuple(sorted(groups)))


def task_starts_replaced(index: TaskStarts, rid: str, old: Task | None, new: Task | None) -> TaskStarts:
    """The index after the task on ``rid`` goes from ``old`` to ``new`` (None: no task)."""
    if old is not None and (new is None or new.started != old.started):
        index = index.without_entry(old.started, rid)
    if new is not None:
        index = index.with_entry(new.started, rid)
    return index


def task_starts_extended(index: TaskStarts, tasks: Mapping[str, Task], puts: Mapping[str, Task]) -> TaskStarts:
    """The index after the tasks ``puts`` are put into ``tasks`` (a bulk build's), each start time's set
    changed once for all its puts."""
    leaving: dict[int, list[str]] = {}
    joining: dict[int, dict[str, None]] = {}
    for rid, task in puts.items():
        old = tasks.get(rid)
        if old is not None and old.started != task.started:
            leaving.setdefault(old.started, []).append(rid)
        joining.setdefault(task.started, {})[rid] = None
    by_start = index.by_start.mutate()
    for started, rids in leaving.items():
        resources = by_start[started].mutate()
        for rid in rids:
            del resources[rid]
        rest = resources.finish()
        if rest:
            by_start[started] = rest
        else:
            del by_start[started]
    for started, added in joining.items():
        current = by_start.get(started)
        by_start[started] = Map(added) if current is None else current.update(added)
    changed = by_start.finish()
    starts = index.starts if len(changed) == len(index.starts) and not leaving else tuple(sorted(changed.keys()))
    return TaskStarts(changed, starts)
