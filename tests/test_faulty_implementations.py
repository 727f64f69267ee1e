"""The faulty implementations the kit is measured against: every class is represented, and one of each class
(a fixed seed, default settings) is found and reported with the rule it breaks. Every fault over fresh seeds
is measured by ``property_tests/conformance_detection.py`` (docs/conformance.md), not here: too slow for CI."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from vmrules import World
from vmrules.catalogue import CATALOGUE
from vmrules.testing.adapters import InProcessAdapter
from vmrules.testing.conformance import Report, run_conformance
from vmrules.testing.conformance.directed import _once
from vmrules.testing.conformance.divergence import Divergence
from vmrules.testing.conformance.edges import edge_world
from vmrules.testing.conformance.lockstep import Lockstep
from vmrules.testing.conformance.scenarios import SCENARIOS
from vmrules.testing.faulty import CLASSES, FAULTS, Fault, WithoutRules, fault
from vmrules.testing.faulty_kinds import (
    ActsWhenRefused,
    KeptDisks,
    LastingVncUrl,
    OnePastLimit,
    StepNotEnforced,
    WrongPaging,
)

ISSUE_FAULTS = ("ninth-data-disk", "six-security-groups", "twenty-first-share", "local-generation-change",
                "stop-from-stopped", "swapped-status", "quota-not-enforced", "id-leak")
# One of each class the kit finds with seed 0 (and a few the sweep's pairs and scenarios aim at), checked in CI;
# the adapters themselves are checked below. Every fault over fresh seeds: conformance_detection.py.
CI_FAULTS = ("ssd-1010", "ssd-step-5", "start-from-running", "kept-eip-binding", "kept-data-disks",
             "token-ignored", "first-page-only", "clock-lag-day", "frozen-clock", "acts-when-refused-for-state",
             "id-leak")


def test_the_faults_cover_every_class() -> None:
    names = {f.name for f in FAULTS}
    assert set(ISSUE_FAULTS) <= names and set(CI_FAULTS) <= names
    assert len(names) == len(FAULTS) >= 40
    kinds = Counter(f.kind for f in FAULTS)
    assert set(kinds) == set(CLASSES), kinds
    for f in FAULTS:
        assert f.rules <= set(CATALOGUE), f.name
        assert f.rules or f.kind in ("kept resource", "ignored token", "paging", "time", "acts when refused"), f.name


@pytest.mark.parametrize("name", CI_FAULTS)
def test_one_fault_of_each_class_is_detected(name: str) -> None:
    faulty: Fault = fault(name)
    # The default settings and a fixed seed; detection only (minimizing a divergence found late in the sweep
    # replays hundreds of steps many times over: tests/test_conformance.py checks minimization).
    report = run_conformance(faulty.make, seed=0, shrink=False)
    assert not report.ok, f"{faulty.name} was not detected"
    assert faulty.found_in(report), (faulty.name, report.rule, report.explanation)
    if faulty.rules:
        assert report.rule in faulty.rules, (faulty.name, report.rule, report.explanation)
        assert report.rule is not None and report.rule in report.explanation
        quote = CATALOGUE[report.rule].seed_quote
        if quote is not None:
            assert quote in report.explanation
    assert report.first_detection is not None
    assert report.seed == 0 and "--seed 0" in report.summary()


def _spec(size: int) -> dict[str, object]:
    return {"regionId": "cn-north-1", "instanceSpec": {
        "az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": "img-centos7cld", "name": "web",
        "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
        "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}},
        "dataDisks": [{"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": size}}]}}


def test_one_past_limit_accepts_exactly_one_notch_past_the_edge() -> None:
    for size, accepted in ((1000, True), (1010, True), (1020, False)):
        reply = OnePastLimit("CREATE_INSTANCES.DATA_DISK_SIZE_SSD", step=10).call("createInstances", _spec(size),
                                                                                 "alice")
        assert ("error" not in reply) == accepted, (size, reply)


def test_step_not_enforced_accepts_sizes_off_the_step_only() -> None:
    for size, accepted in ((25, True), (27, False), (1005, False)):
        reply = StepNotEnforced("CREATE_INSTANCES.DATA_DISK_SIZE_SSD", step=5).call("createInstances",
                                                                                   _spec(size), "alice")
        assert ("error" not in reply) == accepted, (size, reply)


def test_wrong_paging_serves_the_first_page_for_every_page() -> None:
    params = {"regionId": "cn-north-1", "pageSize": 10}
    right, wrong = InProcessAdapter(), WrongPaging("first-page", ("describeImages",))
    params = {"regionId": "cn-north-1", "pageSize": 10, "imageSource": "public"}
    pages = [(a.call("describeImages", {**params, "pageNumber": n}, "alice")["result"]["images"])
             for a in (right, wrong) for n in (1, 2)]
    assert pages[0] == pages[2] == pages[3] != pages[1]


RESIZE_GATE = "RESIZE_INSTANCE.STATUS_STOPPED"


def _resize_of_a_running_instance(world: World) -> dict[str, str]:
    iid = min(i.instance_id for i in world.instances.values()
              if i.owner == "alice" and i.status == "running" and i.instance_type == "g.n2.medium")
    return {"regionId": "cn-north-1", "instanceId": iid, "instanceType": "g.n2.large"}


def test_acts_when_refused_answers_the_refusal_and_makes_the_change() -> None:
    world = edge_world()
    resize = _resize_of_a_running_instance(world)
    reference, faulty = InProcessAdapter(world), ActsWhenRefused([RESIZE_GATE], world)
    right, wrong = reference.call("resizeInstance", resize, "alice"), faulty.call("resizeInstance", resize, "alice")
    assert right["error"] == wrong["error"] and right["error"]["status"] == "FAILED_PRECONDITION"
    assert reference.world == world and reference.requests == faulty.requests == 1
    assert faulty.world.instances[resize["instanceId"]].instance_type == "g.n2.large"  # it acted all the same
    # a refusal by a rule it was not given changes nothing
    before = faulty.world
    assert "error" in faulty.call("resizeInstance", {**resize, "instanceType": "x.nope.large"}, "alice")
    assert faulty.world == before


def test_a_settle_after_a_refused_change_observes() -> None:
    # Only later reads show a system that acts when it refuses: the settle after a refused change must observe
    # even though the reference changed nothing.
    lock = Lockstep(ActsWhenRefused([RESIZE_GATE]))
    assert lock.start() is None and lock.settle() is None  # observed: nothing pending
    assert lock.request("resizeInstance", _resize_of_a_running_instance(lock.model), "alice") is None  # both refuse
    divergence = lock.settle()
    assert divergence is not None and divergence.kind == "observation", divergence
    assert divergence.operation == "describeInstances"


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


@pytest.mark.parametrize(("scenario", "faulty"), [
    ("vnc-expiry", LastingVncUrl), ("image-pages", lambda: WrongPaging("shifted", ("describeImages",))),
    ("deleted-resources", KeptDisks)])
def test_a_scenario_finds_the_fault_it_probes_and_nothing_on_the_reference(scenario: str, faulty: Any) -> None:
    for seed in (0, 1):
        for make, diverges in ((InProcessAdapter, False), (faulty, True)):
            lock = Lockstep(make())
            assert lock.start() is None
            found = _once(seed, lambda data, lock=lock: SCENARIOS[scenario](lock, data, "alice"))
            assert (found is not None) == diverges, (scenario, seed, make, found)


def _diverged(kind: str, operation: str, rule: str | None) -> Report:
    divergence = Divergence(kind, 7, operation, "alice", {}, {}, {}, rule)
    return Report(False, "full", 1, 7, 0, divergence)


def test_a_fault_breaking_an_effect_is_found_by_a_differing_result_of_its_operation() -> None:
    quota = fault("quota-not-enforced")  # the reference makes 16 of maxCount 100, the fault all 100
    assert quota.found_in(_diverged("result", "createInstances", None))
    assert quota.found_in(_diverged("outcome", "createInstances", "CREATE_INSTANCES.QUOTA_INSTANCE"))
    assert not quota.found_in(_diverged("result", "describeInstances", None))
    assert not quota.found_in(_diverged("outcome", "createInstances", "CREATE_INSTANCES.NAME"))
    assert not quota.found_in(Report(True, "full", 1, 7, 0))
    bound = fault("ssd-1010")  # no effects: a differing result names no rule and is not this fault
    assert not bound.found_in(_diverged("result", "createInstances", None))
    assert bound.found_in(_diverged("outcome", "createInstances", next(iter(bound.rules))))


def test_quota_not_enforced_is_found_where_the_best_effort_count_differs() -> None:
    report = run_conformance(fault("quota-not-enforced").make, seed=0, shrink=False)
    assert fault("quota-not-enforced").found_in(report), report.explanation
    assert report.divergence is not None and report.divergence.operation == "createInstances"
