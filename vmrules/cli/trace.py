"""Traces: a sequence of API calls (and ``settle``/``advance`` pseudo-steps) with the outcome each should have.

A trace is JSON Lines: one step object a line; blank lines and lines starting with ``#`` are skipped. The
format is documented in docs/cli.md. Parsing checks the whole file before any step runs, so a malformed trace
fails with one line naming the file and line and nothing is executed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from vmrules.cli.inputs import InputError, json_type, parse_json
from vmrules.clock import iso
from vmrules.engine import advance, advance_refusal, execute, settle
from vmrules.errors import Status
from vmrules.operation import Outcome
from vmrules.world import World

PSEUDO_OPS = ("settle", "advance")
_API_KEYS = frozenset({"op", "params", "caller", "expect", "save", "note"})
_PSEUDO_KEYS = {"settle": frozenset({"op", "note"}), "advance": frozenset({"op", "seconds", "note"})}
_ERROR_KEYS = ("status", "code", "rule", "field", "message")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\])*")
_PATH_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]")

PathPart = str | int


@dataclass(frozen=True, slots=True)
class Expect:
    """What a step's outcome must be. ``kind`` ``error`` compares the given members of the error; ``ok`` with
    ``result`` compares the result against it as a pattern (objects: the listed members; arrays: same length)."""

    kind: Literal["ok", "any", "error"]
    error: tuple[tuple[str, object], ...] = ()
    result: object = None
    has_result: bool = False

    def describe(self) -> str:
        if self.kind != "error":
            return self.kind
        return " ".join(f"{k}={v}" for k, v in self.error)


@dataclass(frozen=True, slots=True)
class Step:
    line: int
    op: str
    params: object = field(default_factory=dict)
    caller: str | None = None
    expect: Expect = Expect("ok")
    save: tuple[tuple[str, tuple[PathPart, ...], str], ...] = ()
    seconds: int = 0
    note: str | None = None

    @property
    def pseudo(self) -> bool:
        return self.op in PSEUDO_OPS


@dataclass(frozen=True, slots=True)
class StepReport:
    """One step's outcome. ``mismatch`` says how it differs from the step's expectation (None: as expected)."""

    step: Step
    world: World
    outcome: Outcome | None  # None for settle/advance
    summary: str
    mismatch: str | None = None
    saved: tuple[tuple[str, object], ...] = ()


# ---- parsing ------------------------------------------------------------------------------------------


# Deeper than any request the engine reads (64 levels), so a step can still send one too deep to be read; shallow
# enough that every walk of a step (its references, the substitution of saved names) stays well inside Python's
# recursion limit.
MAX_STEP_NESTING = 200


def nesting(value: object) -> int:
    """How many lists and objects deep ``value`` nests (0 for a scalar), found without recursion."""
    deepest, pending = 0, [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth + 1)
            pending.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def parse_trace(text: str, name: str) -> list[Step]:
    """Every step of a trace file. Raises ``InputError`` ("FILE:LINE: what is wrong") on a malformed trace."""
    steps: list[Step] = []
    defined: set[str] = set()
    # Lines end at \n (and \r\n) only: U+2028, U+2029 and U+0085 may stand raw inside a JSON string.
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        where = f"{name}:{number}"
        try:
            value = parse_json(stripped)
        except ValueError as exc:
            raise InputError(f"{where}: not JSON: {exc}") from None
        if nesting(value) > MAX_STEP_NESTING:
            raise InputError(f"{where}: the step nests more than {MAX_STEP_NESTING} levels deep")
        step = _parse_step(value, number, where)
        used = _references(step.params) | _references(step.caller) | _references(step.expect.result)
        used |= _references([v for _, v in step.expect.error])
        for ref in sorted(used):
            if ref not in defined:
                raise InputError(f"{where}: ${{{ref}}} is used before any step saves it")
        defined.update(n for n, _, _ in step.save)
        steps.append(step)
    if not steps:
        raise InputError(f"{name}: the trace has no steps")
    return steps


def _parse_step(value: object, line: int, where: str) -> Step:
    if not isinstance(value, dict):
        raise InputError(f"{where}: a step must be a JSON object, got {json_type(value)}")
    op = value.get("op")
    if not isinstance(op, str) or not op:
        raise InputError(f"{where}: a step needs \"op\", the operation name (or settle, advance)")
    allowed = _PSEUDO_KEYS.get(op, _API_KEYS)
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise InputError(f"{where}: unknown member {unknown[0]!r} in a {op} step "
                         f"(allowed: {', '.join(sorted(allowed))})")
    note = value.get("note")
    if note is not None and not isinstance(note, str):
        raise InputError(f"{where}: \"note\" must be a string")
    if op == "settle":
        return Step(line, op, note=note)
    if op == "advance":
        seconds = value.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
            raise InputError(f"{where}: advance needs \"seconds\", a whole number >= 0")
        return Step(line, op, seconds=seconds, note=note)
    caller = value.get("caller")
    if caller is not None and not isinstance(caller, str):
        raise InputError(f"{where}: \"caller\" must be a string (an account pin), got {json_type(caller)}")
    return Step(line, op, value.get("params", {}), caller, _parse_expect(value.get("expect", "ok"), where),
                _parse_save(value.get("save", {}), where), note=note)


def _parse_expect(value: object, where: str) -> Expect:
    if value in ("ok", "any"):
        return Expect("ok" if value == "ok" else "any")
    if not isinstance(value, dict) or not value:
        raise InputError(f"{where}: \"expect\" must be \"ok\", \"any\" or an object such as "
                         "{\"status\": \"NOT_FOUND\"} or {\"result\": {...}}")
    unknown = sorted(set(value) - {*_ERROR_KEYS, "result"})
    if unknown:
        raise InputError(f"{where}: unknown member {unknown[0]!r} in \"expect\" "
                         f"(allowed: {', '.join((*_ERROR_KEYS, 'result'))})")
    if "result" in value:
        if len(value) > 1:
            raise InputError(f"{where}: \"expect\" cannot have both \"result\" and error members")
        return Expect("ok", result=value["result"], has_result=True)
    status = value.get("status")
    if status is not None and status not in Status.__members__:
        raise InputError(f"{where}: expect.status {status!r} is not one of {', '.join(Status.__members__)}")
    code = value.get("code")
    if code is not None and (isinstance(code, bool) or not isinstance(code, int)):
        raise InputError(f"{where}: expect.code must be an integer HTTP status")
    for key in ("rule", "field", "message"):
        if key in value and not isinstance(value[key], str):
            raise InputError(f"{where}: expect.{key} must be a string")
    return Expect("error", tuple((k, value[k]) for k in _ERROR_KEYS if k in value))


def _parse_save(value: object, where: str) -> tuple[tuple[str, tuple[PathPart, ...], str], ...]:
    if not isinstance(value, dict):
        raise InputError(f"{where}: \"save\" must be an object of name: result path")
    saves = []
    for name, path in value.items():
        if not _NAME.match(name):
            raise InputError(f"{where}: save name {name!r} must be letters, digits and _ (not starting with a digit)")
        parts = parse_path(path) if isinstance(path, str) else None
        if parts is None:
            raise InputError(f"{where}: save path {path!r} must look like instanceIds[0] or instance.status")
        saves.append((name, parts, str(path)))
    return tuple(saves)


def parse_path(text: str) -> tuple[PathPart, ...] | None:
    """``a.b[0].c`` as ("a", "b", 0, "c"); None when malformed."""
    if not _PATH.fullmatch(text):
        return None
    return tuple(name if name else int(index) for name, index in _PATH_PART.findall(text))


def _references(value: object) -> set[str]:
    if isinstance(value, str):
        return set(_REFERENCE.findall(value))
    if isinstance(value, list):
        return set().union(*(_references(v) for v in value)) if value else set()
    if isinstance(value, dict):
        return set().union(*(_references(v) for v in value.values())) if value else set()
    return set()


# ---- running ------------------------------------------------------------------------------------------


def substitute(value: object, names: Mapping[str, object]) -> object:
    """``value`` with saved names filled in: a string that is exactly ``${name}`` becomes the saved value (of
    any JSON type); ``${name}`` inside a longer string is replaced by the value's text."""
    if isinstance(value, str):
        whole = _REFERENCE.fullmatch(value)
        if whole is not None:
            return names[whole.group(1)]
        return _REFERENCE.sub(lambda m: _text(names[m.group(1)]), value)
    if isinstance(value, list):
        return [substitute(v, names) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, names) for k, v in value.items()}
    return value


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    from vmrules.cli.inputs import dumps

    return dumps(value, indent=None)


def lookup(value: object, path: tuple[PathPart, ...]) -> tuple[bool, object]:
    """(found, value at ``path``) in a JSON value."""
    for part in path:
        if isinstance(part, int):
            if not isinstance(value, list) or part >= len(value):
                return False, None
            value = value[part]
        else:
            if not isinstance(value, dict) or part not in value:
                return False, None
            value = value[part]
    return True, value


def check_advances(world: World, steps: list[Step], name: str) -> None:
    """Raise ``InputError`` (``FILE:LINE``) when the trace's advance steps, added up, would move ``world``'s clock
    past its end: found before any step runs, as every other fault of a trace is."""
    moved = 0
    for step in steps:
        if step.op == "advance":
            refusal = advance_refusal(world, moved + step.seconds)
            if refusal is not None:
                raise InputError(f"{name}:{step.line}: with the advances before it, {refusal}")
            moved += step.seconds


def run_trace(world: World, steps: list[Step]) -> Iterator[StepReport]:
    """Run the steps in order, yielding a report for each; stops after the first step that does not go as
    expected. A step that cannot run raises ``InputError`` ("LINE: what is wrong")."""
    names: dict[str, object] = {}
    for step in steps:
        report = _run_step(world, step, names)
        yield report
        if report.mismatch is not None:
            return
        world = report.world


def _run_step(world: World, step: Step, names: dict[str, object]) -> StepReport:
    if step.op == "settle":
        pending = len(world.tasks)
        return StepReport(step, settle(world), None, f"{pending} task{'' if pending == 1 else 's'} completed")
    if step.op == "advance":
        refusal = advance_refusal(world, step.seconds)
        if refusal is not None:
            raise InputError(f"{step.line}: {refusal}")
        later = advance(world, step.seconds)
        return StepReport(step, later, None, f"clock +{step.seconds}s, now {iso(later.clock)}")
    params = substitute(step.params, names)
    caller = substitute(step.caller, names) if step.caller is not None else None
    if caller is not None and not isinstance(caller, str):  # a saved value of another type: the step names no one
        raise InputError(f"{step.line}: \"caller\" is {json_type(caller)} once saved names are filled in; it must "
                         "be a string (an account pin)")
    outcome = execute(world, step.op, params, caller=caller)
    expect = step.expect
    if expect.kind != "any":
        expect = replace(expect, error=tuple((k, substitute(v, names)) for k, v in expect.error),
                         result=substitute(expect.result, names))
    mismatch = compare(expect, outcome)
    saved: list[tuple[str, object]] = []
    if mismatch is None:
        for name, path, text in step.save:
            found, value = lookup(outcome.result, path)
            if not found:
                mismatch = f"cannot save {name}: the result has no {text}"
                break
            names[name] = value
            saved.append((name, value))
    return StepReport(step, outcome.world, outcome, describe_outcome(outcome), mismatch, tuple(saved))


def describe_outcome(outcome: Outcome) -> str:
    if outcome.error is None:
        return "ok"
    e = outcome.error
    return f"{e.status} {e.rule}: {e.message}"


def compare(expect: Expect, outcome: Outcome) -> str | None:
    """None when the outcome is as expected, else how it differs."""
    if expect.kind == "any":
        return None
    error = outcome.error
    if expect.kind == "ok":
        if error is not None:
            return f"expected ok, got {error.status} ({error.rule}): {error.message}"
        if expect.has_result:
            return _match(expect.result, outcome.result, "result")
        return None
    if error is None:
        return f"expected {expect.describe()}, got ok"
    actual: dict[str, object] = {"status": error.status, "code": error.code, "rule": error.rule,
                                 "field": error.field, "message": error.message}
    for key, want in expect.error:
        got = actual[key]
        if key == "message":
            if not isinstance(got, str) or not isinstance(want, str) or want not in got:
                return f"expected the message to contain {want!r}, got {error.status} ({error.rule}): {got}"
        elif got != want:
            return f"expected {key} {want}, got {got} — {error.status} ({error.rule}): {error.message}"
    return None


def _match(want: object, got: object, where: str) -> str | None:
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return f"{where}: expected an object, got {json_type(got)}"
        for key, sub in want.items():
            if key not in got:
                return f"{where}.{key}: missing"
            found = _match(sub, got[key], f"{where}.{key}")
            if found is not None:
                return found
        return None
    if isinstance(want, list):
        if not isinstance(got, list):
            return f"{where}: expected an array, got {json_type(got)}"
        if len(want) != len(got):
            return f"{where}: expected {len(want)} elements, got {len(got)}"
        for i, (w, g) in enumerate(zip(want, got, strict=True)):
            found = _match(w, g, f"{where}[{i}]")
            if found is not None:
                return found
        return None
    if want != got or type(want) is not type(got):
        return f"{where}: expected {_text(want)}, got {_text(got)}"
    return None


__all__ = ["Expect", "Step", "StepReport", "check_advances", "compare", "lookup", "parse_path", "parse_trace",
           "run_trace", "substitute"]
