"""Each deliberately faulty implementation is found by the conformance kit under its default settings, and the
report names the rule it breaks (with the seed sentence when the rule has one)."""

from __future__ import annotations

import pytest

from vmrules.catalogue import CATALOGUE
from vmrules.testing.conformance import run_conformance
from vmrules.testing.faulty import FAULTS, Fault, WithoutRules, fault

ISSUE_FAULTS = ("ninth-data-disk", "six-security-groups", "twenty-first-share", "local-generation-change",
                "stop-from-stopped", "swapped-status", "quota-not-enforced", "id-leak")


def test_the_faults_the_issue_asks_for_are_all_there() -> None:
    names = {f.name for f in FAULTS}
    assert set(ISSUE_FAULTS) <= names
    assert len(names) == len(FAULTS) >= 8
    for f in FAULTS:
        assert f.rules and f.rules <= set(CATALOGUE), f.name


@pytest.mark.parametrize("faulty", FAULTS, ids=lambda f: f.name)
def test_each_fault_is_detected_and_reported_with_the_rule_it_breaks(faulty: Fault) -> None:
    report = run_conformance(faulty.make)  # the default settings
    assert not report.ok, f"{faulty.name} was not detected"
    assert report.rule in faulty.rules, (faulty.name, report.rule, report.explanation)
    assert report.rule is not None and report.rule in report.explanation
    quote = CATALOGUE[report.rule].seed_quote
    if quote is not None:
        assert quote in report.explanation
    assert report.first_detection is not None
    # The trace is minimized: the divergent step, and at most one step before it.
    assert len([line for line in report.trace.splitlines() if line.startswith("{")]) <= 2, report.trace


def test_without_rules_takes_out_only_the_named_rule() -> None:
    adapter = WithoutRules(["STOP_INSTANCE.STATUS_RUNNING"])
    assert set(adapter.table) == {"stopInstance"}
    ids = [r.id for r in adapter.table["stopInstance"].rules]
    assert "STOP_INSTANCE.STATUS_RUNNING" not in ids and "STOP_INSTANCE.NO_TASK" in ids


def test_a_broken_transition_answers_500_instead_of_raising() -> None:
    adapter = WithoutRules(["REQUEST.TYPE"])

    def boom(*args: object) -> None:
        raise RuntimeError("broken")

    adapter.run = boom  # type: ignore[method-assign, assignment]
    reply = adapter.call("stopInstance", {"regionId": "cn-north-1", "instanceId": "i-x"}, "alice")
    assert reply["error"]["code"] == 500 and "broken" in reply["error"]["message"]


def test_fault_lookup() -> None:
    assert fault("id-leak").name == "id-leak"
    with pytest.raises(KeyError, match="known"):
        fault("no-such-fault")
