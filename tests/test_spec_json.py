"""The machine-readable spec (docs/spec.json, `vmrules spec --json`) agrees with the engine's own catalogue:
every operation, its rules in precedence order with their statuses and codes, its effects and defaults."""

from __future__ import annotations

import json
from pathlib import Path

from cli_runner import run_cli

from vmrules.catalogue import CATALOGUE, EFFECT_CATALOGUE, effects_for, rules_for
from vmrules.docgen.machine import spec_document
from vmrules.operations import OPERATION_TABLE

ROOT = Path(__file__).resolve().parents[1]


def test_spec_file_is_the_document() -> None:
    on_disk = json.loads((ROOT / "docs" / "spec.json").read_text(encoding="utf-8"))
    assert on_disk == json.loads(json.dumps(spec_document()))


def test_every_operation_rules_in_precedence_order_and_effects() -> None:
    document = spec_document()
    assert sorted(op["name"] for op in document["operations"]) == sorted(OPERATION_TABLE)
    for op in document["operations"]:
        engine_rules = rules_for(op["name"])
        assert [r["id"] for r in op["rules"]] == [r.id for r in engine_rules]
        phases = [r["phase"] for r in op["rules"]]
        order = {p["name"]: p["order"] for p in document["phases"]}
        request_level = sum(1 for r in op["rules"] if r["id"].startswith("REQUEST."))
        assert [order[p] for p in phases[request_level:]] == sorted(order[p] for p in phases[request_level:])
        for r in op["rules"]:
            entry = CATALOGUE[r["id"]]
            assert (r["status"], r["code"], r["field"]) == (entry.status.value, entry.code, entry.field)
        assert [e["id"] for e in op["effects"]] == [e.id for e in effects_for(op["name"])]
        assert op["defaults"] == {e.field: e.default for e in effects_for(op["name"]) if e.kind == "default"}
        assert {(e["status"], e["code"]) for e in op["errors"]} == {(r.status.value, r.status.code)
                                                                     for r in engine_rules}
        assert OPERATION_TABLE[op["name"]].method == op["method"] and OPERATION_TABLE[op["name"]].path == op["path"]
    listed = {e["id"] for op in document["operations"] for e in op["effects"]}
    assert listed == set(EFFECT_CATALOGUE)


def test_cli_prints_the_document() -> None:
    out = run_cli("spec", "--op", "stopInstance", "--json", cwd=ROOT)
    assert out.returncode == 0, out.stderr
    stop = json.loads(out.stdout)
    assert stop["name"] == "stopInstance" and stop["statusChanges"][0]["after"] == "stopped"
