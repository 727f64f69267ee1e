"""The wire-level entry points: ``execute``, ``check``, ``settle`` and ``advance``."""

from __future__ import annotations

from typing import Any

from vmrules.clock import MAX_CLOCK, iso
from vmrules.errors import VmError
from vmrules.operation import Operation, Outcome
from vmrules.operations import COMPLETIONS, OPERATION_TABLE
from vmrules.plain import exact_str
from vmrules.request_rules import REQUEST_RULES, RawRequest
from vmrules.world import World


def _resolve(operation: object) -> Operation[Any, Any] | VmError:
    operation = exact_str(operation)  # a str subclass could override __hash__
    op = OPERATION_TABLE.get(operation) if type(operation) is str else None
    if op is not None:
        return op
    raw = RawRequest(operation, None, False)
    for r in REQUEST_RULES:
        error = r.first_error(raw)
        if error is not None:
            return error
    raise AssertionError("REQUEST.UNKNOWN_OPERATION must report an unknown operation")


def execute(world: World, operation: str, params: object, *, caller: str | None = None,
            strict: bool = False) -> Outcome:
    """Apply one API operation to the world.

    ``params`` are the wire parameters (path and body/query together, camelCase) as a dict, or an object with
    attributes such as the official SDK's ``StopInstanceParameters``. ``caller`` is the acting account's pin
    (default: the world's default account). ``strict``: parameter names the operation does not define are
    refused (REQUEST.UNKNOWN_FIELD) instead of ignored as the API ignores them. Never raises on any input,
    whatever its objects' methods do; never changes ``world``.
    """
    op = _resolve(operation)
    if isinstance(op, VmError):
        return Outcome(world, {}, op)
    parsed = op.parse(params, strict=strict)
    if isinstance(parsed, list):
        return Outcome(world, {}, parsed[0])
    return op(world, parsed, caller=caller)


def check(world: World, operation: str, params: object, *, caller: str | None = None,
          strict: bool = False) -> list[VmError]:
    """Every violation ``execute`` would find, in precedence order, without applying anything.

    Empty exactly when ``execute`` (with the same ``strict``) succeeds; the first element is the error
    ``execute`` reports. When the parameters do not have the request's shape (or, strict, hold unknown names),
    only those request errors are listed (rules need a parsed request).
    """
    op = _resolve(operation)
    if isinstance(op, VmError):
        return [op]
    parsed = op.parse(params, strict=strict)
    if isinstance(parsed, list):
        return parsed
    return op.violations(world, parsed, caller=caller)


def settle(world: World, *, started_by: int | None = None) -> World:
    """Complete every task in progress (pending → running, stopping → stopped, attaching → attached, image
    pending → ready, deleting → gone, ...). Idempotent: a settled world has no task left.

    With ``started_by``, only tasks started at or before that clock value complete (the emulator uses this to
    let tasks take time); tasks a completion starts are left for a later call.
    """
    if started_by is None:
        while world.tasks:
            world = _complete(world, sorted(world.tasks.keys()))
        return world
    due = sorted(world.tasks_started_by(started_by))  # index-served: costs what is due
    return _complete(world, due)


def _complete(world: World, resource_ids: list[str]) -> World:
    for resource_id in resource_ids:
        task = world.tasks.get(resource_id)
        if task is None:
            continue  # an earlier completion already finished it
        world = COMPLETIONS[task.kind](world.without_task(resource_id), task)
    return world


def advance(world: World, seconds: int) -> World:
    """Move the world's logical clock forward (VNC URL expiry, prepaid expiry). Tasks are not completed.

    The clock never passes ``MAX_CLOCK`` (9990-01-01T00:00:00Z: the times operations derive from it must keep a
    four-digit year); ``advance_room`` says how far it may still move."""
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
        raise ValueError(f"advance takes a non-negative whole number of seconds, got {seconds!r}")
    refusal = advance_refusal(world, seconds)
    if refusal is not None:
        raise ValueError(refusal)
    return world.evolve(clock=world.clock + seconds)


def advance_room(world: World) -> int:
    """How many seconds ``advance`` may still move the world's clock (0 at or past ``MAX_CLOCK``)."""
    return max(0, MAX_CLOCK - world.clock)


def advance_as_far_as_allowed(world: World, seconds: int) -> World:
    """``advance`` by ``seconds``, or only up to ``MAX_CLOCK`` when that is nearer: for clocks that follow wall
    time (the emulator's, the mock's), which stop at the clock's end instead of failing a request."""
    return advance(world, min(seconds, advance_room(world)))


def advance_refusal(world: World, seconds: int) -> str | None:
    """Why ``advance`` refuses to move the clock ``seconds`` on (past ``MAX_CLOCK``), or None when it may: the
    message the emulator and ``vmrules run`` report too."""
    room = advance_room(world)
    if seconds <= room:
        return None
    return f"advancing by {seconds} s would move the clock past {iso(MAX_CLOCK)}, the latest it may show; it may " \
           f"move {room} s more"
