"""Replaying recorded steps, reading vmrules run traces as steps, and minimizing a divergence by delta debugging."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from vmrules.testing.adapters import SystemAdapter, close_adapter
from vmrules.testing.conformance.divergence import ConformanceFailure, Divergence, Step
from vmrules.testing.conformance.lockstep import Lockstep
from vmrules.testing.conformance.settings import KitSettings

# ==== replay and minimization =========================================================================


def replay(adapter: SystemAdapter, steps: Sequence[Step], kit: KitSettings | None = None,
           ) -> tuple[Lockstep, Divergence | None]:
    """Run recorded steps in lockstep from the start; the driver and the first divergence (or None)."""
    lockstep = Lockstep(adapter, kit)
    found = lockstep.start()
    for step in steps:
        if found is not None:
            break
        found = lockstep.run(step)
    return lockstep, found


def trace_steps(text: str, name: str = "<trace>") -> list[Step]:
    """The steps of a ``vmrules run`` trace (JSON Lines) as the kit runs them; expectations are not needed (the
    reference computes its own). Raises ValueError naming the line for a malformed trace or one that uses
    saved names (``${name}``), which a lockstep replay cannot fill in."""
    from vmrules.cli.inputs import InputError
    from vmrules.cli.trace import parse_trace

    try:
        parsed = parse_trace(text, name)
    except InputError as exc:
        raise ValueError(str(exc)) from None
    steps = []
    for step in parsed:
        if step.save or "${" in json.dumps([step.params, step.caller], ensure_ascii=False):
            raise ValueError(f"{name}:{step.line}: saved names (save, ${{...}}) cannot be replayed in lockstep")
        if not step.pseudo and not isinstance(step.params, dict):
            raise ValueError(f"{name}:{step.line}: params must be a JSON object")
        steps.append(Step(step.op, step.params if isinstance(step.params, dict) else None,
                          step.caller, step.seconds))
    return steps


def _same(a: Divergence, b: Divergence) -> bool:
    return (a.kind, a.operation, a.rule) == (b.kind, b.operation, b.rule)


def minimize(adapter_factory: Callable[[], SystemAdapter], failure: ConformanceFailure,
             kit: KitSettings | None = None, *, budget: int = 400) -> ConformanceFailure:
    """The shortest run found that still diverges the same way (same kind, operation and rule): steps are
    deleted in chunks, then one at a time, and each candidate is replayed from a fresh reset (delta
    debugging over the concrete steps, which stays aligned however the world changes). Needs a system that
    can be reset; at most ``budget`` replays."""
    if not failure.reset:
        return failure
    best, target, replays = list(failure.steps), failure.divergence, 0
    result = failure
    chunk = max(1, len(best) // 2)
    while chunk >= 1 and replays < budget:
        i = 0
        while i < len(best) - 1 and replays < budget:
            candidate = best[:i] + best[i + chunk:]
            replays += 1
            lockstep, found = replay(adapter_factory(), candidate, kit)
            close_adapter(lockstep.adapter)
            if found is not None and _same(found, target):
                best = list(lockstep.history)
                result = lockstep.failure(found)
            else:
                i += chunk
        chunk //= 2
    return result
