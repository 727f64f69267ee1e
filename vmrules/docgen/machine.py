"""The machine-readable spec (docs/spec.json, ``vmrules spec --json``): every operation with its method and path,
its rules in precedence order (id, phase, status, code, field, statement, source), its effects (kind, defaults,
status changes), the statuses and error codes it can return — the document another implementation or a test
generator in another language reads. Built from the operation table and the catalogues only."""

from __future__ import annotations

from typing import Any

from vmrules.catalogue import CATALOGUE, EFFECT_CATALOGUE, effects_for, rules_for
from vmrules.errors import Status
from vmrules.operations import OPERATION_TABLE, OPERATIONS
from vmrules.rules import Phase

FORMAT_VERSION = 1


def operation_spec(name: str) -> dict[str, Any]:
    op = OPERATION_TABLE[name]
    rules = [CATALOGUE[r.id].as_json() for r in rules_for(name)]
    for r in rules:
        r.pop("operations", None)
    effects = [EFFECT_CATALOGUE[e.id].as_json() for e in effects_for(name)]
    for e in effects:
        e.pop("operation", None)
    errors = sorted({(r["status"], r["code"]) for r in rules}, key=lambda sc: (sc[1], sc[0]))
    return {
        "name": name,
        "method": op.method,
        "path": op.path,
        "rules": rules,
        "effects": effects,
        "defaults": {e["field"]: e["default"] for e in effects if e["kind"] == "default"},
        "statusChanges": [e["statusChange"] | {"effect": e["id"]} for e in effects if e["statusChange"]],
        "errors": [{"status": s, "code": c} for s, c in errors],
    }


def spec_document() -> dict[str, Any]:
    """The whole spec as one JSON-compatible value (deterministic: the seed's operation order)."""
    return {
        "format": FORMAT_VERSION,
        "description": "vmrules reference semantics of the JD Cloud VM API v1: rules in precedence order (the "
                       "first failing one is the error), effects of a successful call.",
        "phases": [{"name": p.name, "order": int(p), "status": p.status.value, "code": p.status.code}
                   for p in Phase],
        "statuses": [{"status": s.value, "code": s.code} for s in Status],
        "operations": [operation_spec(name) for name in OPERATIONS if name in OPERATION_TABLE],
    }
