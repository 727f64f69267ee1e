"""One divergence: what it records (Divergence, Step), the failure raised for it, and its one-paragraph explanation."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vmrules.catalogue import CATALOGUE
from vmrules.testing.conformance.settings import JSON
from vmrules.world import World

# ==== one divergence ==================================================================================


@dataclass(frozen=True)
class Divergence:
    """Where the system first behaved differently from the reference.

    ``kind``: ``outcome`` (one succeeded, the other failed), ``status`` (both failed, differently), ``result``
    (both succeeded, different results), ``observation`` (an observation after settle differs), ``transport``
    (the system's reply is not an API envelope). ``step`` counts the steps of the run from 1."""

    kind: str
    step: int
    operation: str
    caller: str
    params: JSON
    reference: JSON
    system: JSON
    rule: str | None = None
    where: str | None = None
    reference_value: Any = None
    system_value: Any = None


@dataclass(frozen=True)
class Step:
    """One step as run: an API request (model ids), ``settle`` or ``advance``."""

    op: str
    params: JSON | None = None
    caller: str | None = None
    seconds: int = 0


class ConformanceFailure(AssertionError):
    """Raised inside the state machine at a divergence; carries it, the steps that led to it, the trace and
    the explanation."""

    def __init__(self, divergence: Divergence, steps: Sequence[Step], trace: str, start: World,
                 reset: bool) -> None:
        self.divergence = divergence
        self.steps = tuple(steps)
        self.trace = trace
        self.explanation = explain(divergence)
        self.start = start
        self.reset = reset
        super().__init__(self.explanation + "\n\nTrace (replay with `vmrules run`):\n" + trace)


def _short(value: Any, limit: int = 300) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[:limit] + "…"


def _system_says(reply: JSON) -> str:
    error = reply.get("error")
    if isinstance(error, dict):
        return (f"refused it with {error.get('status')} ({error.get('code')}): "
                f"{error.get('message')}")
    if "result" in reply:
        return f"accepted it, result {_short(reply.get('result'))}"
    return f"answered with something that is not an API envelope: {_short(reply)}"


def explain(d: Divergence) -> str:
    """One paragraph: the step, the request, what the reference said (rule and seed sentence), what the
    system said."""
    head = (f"Step {d.step}: {d.operation} as {d.caller} with {_short(d.params)}.")
    error = d.reference.get("error")
    if d.kind == "observation":
        head = (f"Step {d.step}: after settle, the observation {d.operation} as {d.caller} "
                f"({_short(d.params)}) differs.")
    if error is not None:
        ref = f"The reference refused it with {error['status']} ({error['code']}), rule {d.rule}"
        entry = CATALOGUE.get(d.rule or "")
        if entry is not None:
            ref += f": {entry.statement}"
            if entry.seed_quote:
                ref += f" Seed: “{entry.seed_quote}”."
            elif entry.rule.source.note:
                ref += f" Source ({entry.rule.source.kind}): {entry.rule.source.note}."
        ref += f" Its message: {error['message']}"
    else:
        ref = f"The reference accepted it (result {_short(d.reference.get('result'))})"
    if d.kind in ("result", "observation"):
        tail = (f"The system's result differs at {d.where}: the reference has {_short(d.reference_value, 120)}, "
                f"the system {_short(d.system_value, 120)}.")
    else:
        tail = f"The system {_system_says(d.system)}."
    return f"{head} {ref.rstrip('.')}. {tail}"
