"""Every seed quote (rule and effect sources, divergence quotes) occurs verbatim in the seed, and the trace map
names seed sentences only."""

from __future__ import annotations

from pathlib import Path

import pytest

from vmrules.catalogue import CATALOGUE, EFFECT_CATALOGUE
from vmrules.docgen import seedtext
from vmrules.docgen.divergences import DIVERGENCES
from vmrules.docgen.tracemap import TRACE

ROOT = Path(__file__).resolve().parents[1]
SEED = seedtext.read_seed(ROOT)
SEED_RULES = [e for e in CATALOGUE.values() if e.source_kind == "seed"]


@pytest.mark.parametrize("entry", SEED_RULES, ids=[e.id for e in SEED_RULES])
def test_rule_quote_is_verbatim_in_the_seed(entry: object) -> None:
    quote = getattr(entry, "seed_quote", None)
    assert quote, "a rule with source kind seed must quote the seed"
    assert quote in SEED, f"not verbatim in {seedtext.SEED_PATH}: {quote!r}"


def test_divergence_quotes_are_verbatim() -> None:
    missing = [(d.number, q) for d in DIVERGENCES for q in d.quotes if q not in SEED]
    assert missing == []


def test_effect_quotes_are_verbatim() -> None:
    quoted = [e.effect for e in EFFECT_CATALOGUE.values() if e.effect.source.kind == "seed"]
    assert [e.id for e in quoted if not e.source.quote or e.source.quote not in SEED] == []


def test_trace_map_names_seed_sentences() -> None:
    sentences = {s.key for s in seedtext.seed_sentences(SEED)}
    assert [key for key in TRACE if key not in sentences] == []


def test_the_seed_lists_the_35_operations() -> None:
    from vmrules.operations import OPERATIONS

    assert [op.name for op in seedtext.seed_operations(SEED)] == list(OPERATIONS)
