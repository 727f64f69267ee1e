"""The rule catalogue: every rule of every operation, listable at run time, with the operations it governs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from vmrules.operations import OPERATION_TABLE, OPERATIONS
from vmrules.request_rules import CALLER_RULES, REQUEST_RULES
from vmrules.rules import Rule


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    rule: Rule[Any]
    operations: tuple[str, ...]  # empty for request rules, which govern every operation


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
