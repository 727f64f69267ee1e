"""The rule and effect catalogues: every rule of every operation with the operations it governs, and every effect
with the operation that declares it, listable at run time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from vmrules.effects import Effect
from vmrules.errors import Status
from vmrules.operations import OPERATION_TABLE, OPERATIONS
from vmrules.request_rules import CALLER_RULES, REQUEST_RULES
from vmrules.rules import Phase, Rule


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """One rule with the operations it governs and everything the docs and the CLI show about it."""

    rule: Rule[Any]
    operations: tuple[str, ...]  # empty for request rules, which govern every operation

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def statement(self) -> str:
        return self.rule.statement

    @property
    def phase(self) -> Phase:
        return self.rule.phase

    @property
    def status(self) -> Status:
        return self.rule.phase.status

    @property
    def code(self) -> int:
        return self.rule.phase.status.code

    @property
    def field(self) -> str | None:
        return self.rule.field

    @property
    def source_kind(self) -> str:
        return self.rule.source.kind

    @property
    def seed_quote(self) -> str | None:
        """The verbatim seed sentence the rule enforces (None unless the source kind is ``seed``)."""
        return self.rule.source.quote if self.rule.source.kind == "seed" else None

    @property
    def governs_every_operation(self) -> bool:
        return not self.operations

    def as_json(self) -> dict[str, Any]:
        """A JSON-compatible description of the rule (the shape ``vmrules rules --json`` prints)."""
        src = self.rule.source
        return {
            "id": self.id,
            "operations": list(self.operations) if self.operations else ["*"],
            "statement": self.statement,
            "phase": self.phase.name,
            "status": self.status.value,
            "code": self.code,
            "field": self.field,
            "source": {"kind": src.kind, "quote": src.quote, "note": src.note},
        }


def _build() -> Mapping[str, CatalogueEntry]:
    entries: dict[str, CatalogueEntry] = {}
    request_level: tuple[Rule[Any], ...] = (*REQUEST_RULES, *CALLER_RULES)
    for r in request_level:
        entries[r.id] = CatalogueEntry(r, ())
    for name in OPERATIONS:
        op = OPERATION_TABLE.get(name)
        if op is None:
            continue
        for r in op.rules:
            known = entries.get(r.id)
            if known is not None and known.rule is not r:
                raise ValueError(f"rule id {r.id} names two different rules")
            ops = known.operations if known else ()
            entries[r.id] = CatalogueEntry(r, (*ops, name))
    return MappingProxyType(dict(sorted(entries.items())))


CATALOGUE: Mapping[str, CatalogueEntry] = _build()
RULES: tuple[Rule[Any], ...] = tuple(e.rule for e in CATALOGUE.values())


def rules_for(operation: str) -> tuple[Rule[Any], ...]:
    """The rules of one operation in precedence order (request rules first)."""
    op = OPERATION_TABLE.get(operation)
    return (*REQUEST_RULES, *CALLER_RULES, *(op.rules if op else ()))


def catalogue_as_json() -> list[dict[str, Any]]:
    """Every rule of the catalogue as JSON-compatible dicts, sorted by id. ``operations`` is ``["*"]`` for the
    request rules, which govern every operation."""
    return [entry.as_json() for entry in CATALOGUE.values()]


# ---- effects ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EffectEntry:
    """One effect with the operation that declares it."""

    effect: Effect
    operation: str

    @property
    def id(self) -> str:
        return self.effect.id

    def as_json(self) -> dict[str, Any]:
        """A JSON-compatible description of the effect (the shape ``vmrules effects --json`` prints)."""
        e = self.effect
        change = e.change
        return {
            "id": e.id,
            "operation": self.operation,
            "kind": e.kind,
            "statement": e.statement,
            "field": e.field,
            "default": e.default,
            "statusChange": None if change is None else {
                "resource": change.resource, "before": list(change.before), "during": change.during,
                "after": change.after, "task": change.task,
            },
            "source": {"kind": e.source.kind, "quote": e.source.quote, "note": e.source.note},
        }


def _build_effects() -> Mapping[str, EffectEntry]:
    entries: dict[str, EffectEntry] = {}
    for name in OPERATIONS:
        op = OPERATION_TABLE.get(name)
        for e in op.effects if op is not None else ():
            if e.id in entries or e.id in CATALOGUE:
                raise ValueError(f"effect id {e.id} is declared twice or names a rule")
            entries[e.id] = EffectEntry(e, name)
    return MappingProxyType(dict(sorted(entries.items())))


EFFECT_CATALOGUE: Mapping[str, EffectEntry] = _build_effects()
EFFECTS: tuple[Effect, ...] = tuple(e.effect for e in EFFECT_CATALOGUE.values())


def effects_for(operation: str) -> tuple[Effect, ...]:
    """The effects one operation declares, in its declaration order."""
    op = OPERATION_TABLE.get(operation)
    return op.effects if op is not None else ()


def effects_as_json() -> list[dict[str, Any]]:
    return [entry.as_json() for entry in EFFECT_CATALOGUE.values()]
