"""The generated docs are up to date (the `python -m vmrules.docgen --check` logic, in-process)."""

from __future__ import annotations

from pathlib import Path

from vmrules.docgen import generate, stale

ROOT = Path(__file__).resolve().parents[1]


def test_generator_reports_no_problem() -> None:
    problems = generate(ROOT).problems
    assert problems == [], "\n".join(problems)


def test_docs_are_fresh() -> None:
    outdated = stale(ROOT, generate(ROOT))
    assert outdated == [], f"stale generated docs (run `python -m vmrules.docgen`): {outdated}"


def test_generation_is_deterministic() -> None:
    assert generate(ROOT).files == generate(ROOT).files


def test_every_implemented_operation_has_a_spec_page_with_an_example() -> None:
    from vmrules.operations import OPERATION_TABLE

    files = generate(ROOT).files
    for name in OPERATION_TABLE:
        page = files[f"docs/spec/{name}.md"]
        assert "### 1. " in page, f"{name} has no worked example"
