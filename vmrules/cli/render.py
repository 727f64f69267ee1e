"""How the CLI shows rules, violations and trace steps to people (and as JSON to programs)."""

from __future__ import annotations

import re
from typing import Any, TextIO

from vmrules.catalogue import CATALOGUE, EFFECT_CATALOGUE
from vmrules.cli.inputs import dumps
from vmrules.cli.trace import StepReport
from vmrules.effects import Effect
from vmrules.errors import VmError
from vmrules.rules import Rule, Source

_TAG = re.compile(r"<[^>]+>")
_SUMMARY_WIDTH = 100


def source_line(source: Source) -> str:
    """``seed: <sentence>`` for seed rules (as rendered: no HTML tags or Markdown escapes), ``<kind>: <note>``
    otherwise."""
    if source.kind == "seed" and source.quote is not None:
        return f"seed: {source.plain_quote}"
    text = source.note or source.quote or ""
    return f"{source.kind}: {text}" if text else source.kind


def violation_lines(error: VmError, rule: Rule[Any] | None) -> list[str]:
    head = f"{error.rule}  {error.status} ({error.code})"
    if error.field:
        head += f"  field {error.field}"
    lines = [head, f"    {error.message}"]
    if rule is not None:
        lines.append(f"    {source_line(rule.source)}")
    return lines


def rule_lines(rule: Rule[Any]) -> list[str]:
    entry = CATALOGUE.get(rule.id)
    ops = entry.operations if entry is not None else ()
    head = f"{rule.id}  {rule.status.value} ({rule.status.code})  phase {rule.phase.name}"
    if rule.field:
        head += f"  field {rule.field}"
    return [
        head,
        f"    {rule.statement}",
        f"    {source_line(rule.source)}",
        f"    operations: {', '.join(ops) if ops else 'every operation'}",
    ]


def effect_lines(effect: Effect) -> list[str]:
    entry = EFFECT_CATALOGUE.get(effect.id)
    head = f"{effect.id}  {effect.kind}"
    if effect.field:
        head += f"  field {effect.field}"
    if effect.default is not None:
        head += f"  default {effect.default}"
    lines = [head, f"    {effect.statement}", f"    {source_line(effect.source)}"]
    change = effect.change
    if change is not None:
        start = " | ".join(change.before) if change.before else "(created)"
        task = f" (task {change.task})" if change.task else ""
        lines.append(f"    {change.resource}: {start} -> {change.during}{task} -> settle -> {change.after or '(gone)'}")
    if entry is not None:
        lines.append(f"    operation: {entry.operation}")
    return lines


def rule_json(rule: Rule[Any]) -> dict[str, Any]:
    """The catalogue's JSON description of a rule (``operations`` is ``["*"]`` for request rules)."""
    return CATALOGUE[rule.id].as_json()


def short(value: object) -> str:
    text = dumps(value, indent=None)
    return text if len(text) <= _SUMMARY_WIDTH else text[: _SUMMARY_WIDTH - 3] + "..."


def step_line(report: StepReport) -> str:
    step = report.step
    summary = report.summary
    outcome = report.outcome
    if outcome is not None and outcome.ok and outcome.result:
        summary += "  " + short(outcome.result)
    if step.expect.kind == "error" and report.mismatch is None:
        summary += "  (as expected)"
    for name, value in report.saved:
        summary += f"  {name}={short(value)}"
    return f"{step.line:>5}  {step.op:<32} {summary}"


class Progress:
    """A one-line progress bar on a terminal stream, cleared whenever a step line is printed."""

    WIDTH = 30

    def __init__(self, stream: TextIO, total: int, enabled: bool) -> None:
        self.stream = stream
        self.total = total
        self.enabled = enabled and total > 0
        self.shown = False

    def draw(self, done: int) -> None:
        if not self.enabled:
            return
        filled = self.WIDTH * done // self.total
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(f"\r[{bar}] {done}/{self.total} steps")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False
