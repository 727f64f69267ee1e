"""The rule catalogue: every rule of every operation, listable at run time, with the operations it governs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

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
