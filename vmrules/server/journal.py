"""The emulator's changes as data: one ``Entry`` per change of the world, and ``apply``, the one way to make it.

The engine is deterministic, so the sequence of entries after a snapshot *is* the state: the live server and a
restart replaying its log both go through ``apply``. An entry carries everything that is not in the world: the
world's clock when the request arrived (the shell's wall time, already turned into whole clock seconds), the
task delay in force, the operation, its parameters and caller, and the request id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from vmrules import World, execute, settle
from vmrules.engine import advance_as_far_as_allowed
from vmrules.operation import Outcome

Kind = Literal["call", "settle", "advance", "sync"]
KINDS: tuple[str, ...] = ("call", "settle", "advance", "sync")


@dataclass(frozen=True)
class Entry:
    """One accepted change. ``clock``: the world's clock once brought to the request's arrival; ``delay``: whole
    seconds a task takes (0: tasks complete before the response). ``call``: ``operation`` with ``params`` as
    ``caller``; ``advance``: move the clock ``seconds`` more; ``settle``: complete every task; ``sync``: only the
    clock move and the tasks it completed (a read that found tasks due)."""

    kind: Kind
    clock: int
    delay: int
    request_id: str
    operation: str = ""
    params: Any = None
    caller: str | None = None
    seconds: int = 0

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "clock": self.clock, "delay": self.delay,
                                "requestId": self.request_id}
        if self.kind == "call":
            data.update(operation=self.operation, params=self.params, caller=self.caller)
        if self.kind == "advance":
            data["seconds"] = self.seconds
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Entry:
        """Raises ValueError on anything this version did not write."""
        if not isinstance(data, dict) or data.get("kind") not in KINDS:
            raise ValueError(f"not a log entry: {str(data)[:200]}")
        clock, delay, seconds = (_count(data, name) for name in ("clock", "delay", "seconds"))
        caller = data.get("caller")
        if caller is not None and not isinstance(caller, str):
            raise ValueError("log entry with a caller that is not text")
        return cls(data["kind"], clock, delay, str(data.get("requestId", "")), str(data.get("operation", "")),
                   data.get("params"), caller, seconds)


def _count(data: dict[str, Any], name: str) -> int:
    value = data.get(name, 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"log entry with a bad {name}: {str(data)[:200]}")
    return value


def complete_due(world: World, delay: int) -> World:
    """Complete the tasks that have run ``delay`` clock seconds (all of them when ``delay`` is 0)."""
    if not world.tasks:
        return world
    if delay <= 0:
        return settle(world)
    return settle(world, started_by=world.clock - delay)


def arrive(world: World, clock: int, delay: int) -> tuple[World, World]:
    """The world at a request's arrival: (clock brought to ``clock``, never back nor past ``MAX_CLOCK``; that
    and the due tasks completed)."""
    moved = advance_as_far_as_allowed(world, clock - world.clock) if clock > world.clock else world
    return moved, complete_due(moved, delay)


@dataclass(frozen=True)
class Applied:
    """The world after an entry; ``outcome`` for a ``call``; ``logged``: what the log keeps of it. None when the
    entry changed nothing but the clock (a read): the next entry's clock carries the move. A refused call whose
    arrival completed tasks is kept as a ``sync``, the change it made: replay (never strict) must not run the
    call itself, which it might accept where the live server refused it (``serve --strict``)."""

    world: World
    outcome: Outcome | None
    logged: Entry | None


def apply(world: World, entry: Entry, *, strict: bool = False) -> Applied:
    """The world after ``entry`` (and the call's outcome, for a ``call``). ``strict``: refuse parameter names
    the operation does not define (``serve --strict``); replay needs none, since a refusal is never logged."""
    moved, world = arrive(world, entry.clock, entry.delay)
    outcome = None
    if entry.kind == "call":
        outcome = execute(world, entry.operation, entry.params, caller=entry.caller, strict=strict)
        world = outcome.world
        if outcome.ok and entry.delay <= 0 and world.tasks:
            world = settle(world)
    elif entry.kind == "settle":
        world = settle(world)
    elif entry.kind == "advance":
        # The server refused an advance past the clock's room before making the entry; the wall time that came
        # with the entry (``arrive``) may have used up a second of that room since, so the move stops at it.
        world = complete_due(advance_as_far_as_allowed(world, entry.seconds), entry.delay)
    if world is moved:
        return Applied(world, outcome, None)
    if outcome is not None and not outcome.ok:
        return Applied(world, outcome, Entry("sync", entry.clock, entry.delay, entry.request_id))
    return Applied(world, outcome, entry)
