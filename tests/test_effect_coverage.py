"""Every effect has a test marked @pytest.mark.effect, every marker names a declared effect, and every effect id
is named by a ``# effect:`` comment in the code that carries it out."""

from __future__ import annotations

from pathlib import Path

from vmrules import EFFECTS
from vmrules.catalogue import EFFECT_CATALOGUE
from vmrules.docgen import codescan, testscan

ROOT = Path(__file__).resolve().parents[1]


def test_every_effect_has_a_marked_test() -> None:
    markers, _ = testscan.scan(ROOT, "effect")
    tested = testscan.tests_by_rule(markers)
    missing = [e.id for e in EFFECTS if e.id not in tested]
    assert missing == [], f"effects without a test marked @pytest.mark.effect(...): {missing}"


def test_every_effect_marker_names_a_declared_effect() -> None:
    markers, bad = testscan.scan(ROOT, "effect")
    unknown = [f"{m.test}: {m.rule_id}" for m in markers if m.rule_id not in EFFECT_CATALOGUE]
    assert unknown == [], f"tests marked with effects no operation declares: {unknown}"
    assert bad == [], f"pytest.mark.effect with non-literal ids: {bad}"


def test_every_effect_is_named_where_the_code_carries_it_out() -> None:
    named = set(codescan.effect_comments(ROOT))
    missing = [e.id for e in EFFECTS if e.id not in named]
    assert missing == [], f"effects no `# effect: ID` comment names: {missing}"
    unknown = sorted(named - set(EFFECT_CATALOGUE))
    assert unknown == [], f"`# effect:` comments naming undeclared effects: {unknown}"
