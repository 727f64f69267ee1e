"""Every rule has a test, every test marker names a rule, every seed sentence has a rule, an effect or a reason.

Markers are read from the test files' source (vmrules.docgen.testscan), not by running pytest.
"""

from __future__ import annotations

from pathlib import Path

from vmrules.catalogue import CATALOGUE
from vmrules.docgen import seedtext, testscan
from vmrules.docgen.trace import trace, trace_problems

ROOT = Path(__file__).resolve().parents[1]


def test_every_rule_has_a_marked_test() -> None:
    markers, _ = testscan.scan(ROOT)
    tested = testscan.tests_by_rule(markers)
    missing = [rule_id for rule_id in CATALOGUE if rule_id not in tested]
    assert missing == [], f"rules without a test marked @pytest.mark.rule(...): {missing}"


def test_every_marker_names_a_known_rule() -> None:
    markers, bad = testscan.scan(ROOT)
    unknown = [f"{m.test}: {m.rule_id}" for m in markers if m.rule_id not in CATALOGUE]
    assert unknown == [], f"tests marked with rules not in the catalogue: {unknown}"
    assert bad == [], f"pytest.mark.rule with non-literal ids: {bad}"


def test_every_seed_sentence_has_a_rule_an_effect_or_a_reason() -> None:
    sentences = seedtext.seed_sentences(seedtext.read_seed(ROOT))
    bare = [f"{t.sentence.key}: {t.sentence.text}" for t in trace(sentences) if not t.traced and not t.reason]
    assert bare == [], "seed sentences with neither a rule, an effect nor a reason in vmrules/docgen/tracemap.py:\n" \
        + "\n".join(bare)
    assert trace_problems(sentences) == []


SAMPLE = '''
import pytest
from pytest import mark

pytestmark = pytest.mark.rule("MOD.WIDE")

@pytest.mark.rule("A.ONE", "A.TWO")
def test_a():
    pass

@mark.rule("B.ONE")
def test_b():
    pass

@pytest.mark.rule("C.CLASS")
class TestC:
    pytestmark = [pytest.mark.rule("C.INNER")]

    def test_c(self):
        pass

@pytest.mark.parametrize("x", [pytest.param(1, marks=pytest.mark.rule("D.PARAM"))])
def test_d(x):
    pass

@pytest.mark.rule(RULE_ID)
def test_e():
    pass

def helper():
    pytest.mark.rule("NOT.A.TEST")
'''


def test_scanner_reads_every_marker_form() -> None:
    markers, bad = testscan.scan_source(SAMPLE, "tests/sample.py")
    found = {(m.rule_id, m.test.split("::", 1)[1]) for m in markers}
    assert found == {
        ("MOD.WIDE", "test_a"), ("A.ONE", "test_a"), ("A.TWO", "test_a"),
        ("MOD.WIDE", "test_b"), ("B.ONE", "test_b"),
        ("MOD.WIDE", "TestC::test_c"), ("C.CLASS", "TestC::test_c"), ("C.INNER", "TestC::test_c"),
        ("MOD.WIDE", "test_d"), ("D.PARAM", "test_d"),
        ("MOD.WIDE", "test_e"),
    }
    assert [b.where for b in bad] == ["tests/sample.py::test_e"]


def test_seed_split_keeps_the_original_text() -> None:
    cell = "一句。二句<br></br>\\- 标题</br>    \\- 范围[1\\-100]Mbps</br>"
    got = [(s.text, s.bullet, s.depth) for s in seedtext.split_cell("op", cell)]
    assert got == [("一句。", False, 0), ("二句", False, 0), ("\\- 标题", True, 0), ("\\- 范围[1\\-100]Mbps", True, 1)]


def test_trace_maps_a_quote_to_its_sentence() -> None:
    stop = next(e for e in CATALOGUE.values() if e.id == "STOP_INSTANCE.STATUS_RUNNING")
    sentences = seedtext.seed_sentences(seedtext.read_seed(ROOT))
    traced = [t for t in trace(sentences) if stop.id in t.rules]
    assert [t.sentence.operation for t in traced] == ["stopInstance"]
