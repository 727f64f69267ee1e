"""Deliberately faulty in-process implementations, for measuring the conformance kit (docs/conformance.md).

``FAULTS`` lists them: each breaks one seed rule the way a fake-cloud implementer plausibly would, with its
class (``CLASSES``: wrong bound, wrong step, missing status gate, kept resource, ignored token, paging, time,
acts when refused, other) and the rules the kit may name when it finds it. The systems themselves are in
``vmrules.testing.faulty_kinds``; ``tests/test_faulty_implementations.py`` checks a handful with a fixed seed,
and ``property_tests/conformance_detection.py`` measures every one over fresh seeds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vmrules.catalogue import CATALOGUE
from vmrules.operations import OPERATION_TABLE
from vmrules.rules import Phase
from vmrules.testing.adapters import SystemAdapter
from vmrules.testing.conformance.run import Report
from vmrules.testing.faulty_kinds import (
    ActsWhenRefused,
    IgnoredToken,
    KeptDisks,
    KeptElasticIpBinding,
    KeptUsage,
    LastingVncUrl,
    LeakyIds,
    OnePastLimit,
    ReleasedElasticIp,
    StepNotEnforced,
    SwappedStatus,
    TokenForgottenOnSettle,
    TokenWithParams,
    UnenforcedQuota,
    WithoutRules,
    WrongClock,
    WrongPaging,
)

__all__ = ["CLASSES", "FAULTS", "ActsWhenRefused", "Fault", "LeakyIds", "OnePastLimit", "StepNotEnforced",
           "SwappedStatus", "UnenforcedQuota", "WithoutRules", "fault"]

CLASSES = ("wrong bound", "wrong step", "missing status gate", "kept resource", "ignored token", "paging", "time",
           "acts when refused", "other")


@dataclass(frozen=True)
class Fault:
    """A faulty implementation: ``make()`` builds a fresh adapter; ``rules`` are the rule ids the kit may name
    when it finds it (the broken rule; empty when the divergence shows as a different result or observation,
    which no rule names); ``effects`` the effects (``vmrules.EFFECTS``) it breaks where the reference accepts,
    so that no rule is named: a result that differs in the operation of one of them counts; ``kind`` is one of
    ``CLASSES``."""

    name: str
    description: str
    rules: frozenset[str]
    make: Callable[[], SystemAdapter]
    kind: str = "other"
    effects: frozenset[str] = frozenset()

    def found_in(self, report: Report) -> bool:
        """Whether ``report`` found this fault: a divergence where the reference applied one of its rules, or,
        for a fault with effects, a result of one of their operations that differs; any divergence for a
        fault that names neither."""
        divergence = report.divergence
        if report.ok or divergence is None:
            return False
        if not self.rules and not self.effects:
            return True
        if report.rule in self.rules:
            return True
        operations = {name for name, op in OPERATION_TABLE.items() if any(e.id in self.effects for e in op.effects)}
        return report.rule is None and divergence.kind == "result" and divergence.operation in operations


def _state_rules() -> frozenset[str]:
    return frozenset(rid for rid, entry in CATALOGUE.items() if entry.phase == Phase.STATE)


def _changes_state_rules() -> frozenset[str]:
    """The state rules of the operations that change the world (not the describes)."""
    return frozenset(r.id for name, op in OPERATION_TABLE.items() if not name.startswith("describe")
                     for r in op.rules if r.phase == Phase.STATE)


def _without(name: str, rule_id: str, description: str, kind: str = "wrong bound") -> Fault:
    return Fault(name, description, frozenset({rule_id}), lambda: WithoutRules([rule_id]), kind)


def _one_past(name: str, rule_id: str, description: str, step: int = 1, on: str = "number") -> Fault:
    return Fault(name, description, frozenset({rule_id}), lambda: OnePastLimit(rule_id, step, on), "wrong bound")


def _step(name: str, rule_id: str, description: str, step: int = 1) -> Fault:
    return Fault(name, description, frozenset({rule_id}), lambda: StepNotEnforced(rule_id, step), "wrong step")


def _gate(name: str, rule_id: str, description: str) -> Fault:
    return _without(name, rule_id, description, "missing status gate")


def _observed(name: str, description: str, make: Callable[[], SystemAdapter], kind: str,
              rules: frozenset[str] = frozenset()) -> Fault:
    return Fault(name, description, rules, make, kind)


FAULTS: tuple[Fault, ...] = (
    # wrong bound: the limit removed
    _without("ninth-data-disk", "ATTACH_DISK.DATA_DISK_LIMIT",
             "attachDisk accepts a 9th data disk on a local-system-disk instance (an 8th on a cloud one)"),
    _without("six-security-groups", "CREATE_INSTANCES.SECURITY_GROUP_COUNT",
             "createInstances accepts 6 security groups on the primary interface"),
    _without("twenty-first-share", "SHARE_IMAGE.MEMBER_LIMIT", "shareImage shares an image with a 21st account"),
    _without("share-past-quota", "SHARE_IMAGE.SHARE_QUOTA",
             "shareImage shares an image with more accounts than its owner's imageShare quota (below 20)"),
    _without("local-generation-change", "RESIZE_INSTANCE.GENERATION_LOCAL_SYSTEM_DISK",
             "resizeInstance moves a local-system-disk instance between generation 1 and 2 types"),
    _without("ninth-data-disk-at-create", "CREATE_INSTANCES.DATA_DISK_COUNT_LOCAL",
             "createInstances accepts 9 data disks with a local system disk"),
    # wrong bound: one notch too far
    _one_past("max-count-101", "CREATE_INSTANCES.MAX_COUNT", "createInstances accepts maxCount 101"),
    _one_past("client-token-65", "CREATE_INSTANCES.CLIENT_TOKEN_LENGTH", "a 65-character clientToken is accepted",
              on="length"),
    _one_past("description-257", "CREATE_INSTANCES.DESCRIPTION", "a 257-character description is accepted",
              on="length"),
    _one_past("name-33", "CREATE_INSTANCES.NAME", "a 33-character instance name is accepted", on="length"),
    _one_past("eip-bandwidth-101", "CREATE_INSTANCES.EIP_BANDWIDTH", "an elastic IP of 101 Mbps is accepted"),
    _one_past("system-disk-501", "CREATE_INSTANCES.CLOUD_SYSTEM_DISK_SIZE",
              "a 501 GB cloud system disk is accepted"),
    _one_past("ssd-1010", "CREATE_INSTANCES.DATA_DISK_SIZE_SSD", "a 1010 GB ssd data disk is accepted", step=10),
    _one_past("hdd-3010", "CREATE_INSTANCES.DATA_DISK_SIZE_HDD", "a 3010 GB premium-hdd data disk is accepted",
              step=10),
    _one_past("eight-cloud-data-disks", "CREATE_INSTANCES.DATA_DISK_COUNT_CLOUD",
              "createInstances accepts 8 data disks with a cloud system disk", on="count"),
    _one_past("six-groups-one-past", "CREATE_INSTANCES.SECURITY_GROUP_COUNT",
              "createInstances accepts exactly 6 security groups (not 7)", on="count"),
    _one_past("image-page-size-101", "DESCRIBE_IMAGES.PAGE_SIZE", "describeImages accepts pageSize 101 (and 9)"),
    _one_past("share-one-past", "SHARE_IMAGE.MEMBER_LIMIT", "shareImage accepts exactly 21 members", on="count"),
    _one_past("copy-eleven", "COPY_IMAGES.IDS_COUNT", "copyImages accepts 11 images", on="count"),
    _one_past("image-name-33", "CREATE_IMAGE.NAME", "createImage accepts a 33-character name", on="length"),
    _one_past("rename-33", "MODIFY_INSTANCE_ATTRIBUTE.NAME", "modifyInstanceAttribute accepts a 33-character name",
              on="length"),
    _one_past("page-size-101", "DESCRIBE_INSTANCES.PAGE_SIZE", "describeInstances accepts pageSize 101 (and 9)"),
    _one_past("password-31", "MODIFY_INSTANCE_PASSWORD.PASSWORD",
              "modifyInstancePassword accepts a 31-character password", on="length"),
    # wrong step
    _step("ssd-any-size", "CREATE_INSTANCES.DATA_DISK_SIZE_SSD", "ssd data disks of any size within 20-1000 GB"),
    _step("hdd-any-size", "CREATE_INSTANCES.DATA_DISK_SIZE_HDD",
          "premium-hdd data disks of any size within 20-3000 GB"),
    _step("ssd-step-5", "CREATE_INSTANCES.DATA_DISK_SIZE_SSD", "ssd data disks in steps of 5 GB", step=5),
    _step("hdd-step-5", "CREATE_INSTANCES.DATA_DISK_SIZE_HDD", "premium-hdd data disks in steps of 5 GB", step=5),
    # missing status gate
    _gate("stop-from-stopped", "STOP_INSTANCE.STATUS_RUNNING", "stopInstance accepts an instance that is not "
          "running"),
    _gate("start-from-running", "START_INSTANCE.STATUS_STOPPED", "startInstance accepts an instance that is not "
          "stopped"),
    _gate("reboot-stopped", "REBOOT_INSTANCE.STATUS_RUNNING", "rebootInstance accepts a stopped instance"),
    _gate("image-of-running", "CREATE_IMAGE.STATUS_STOPPED", "createImage accepts a running instance"),
    _gate("resize-running", "RESIZE_INSTANCE.STATUS_STOPPED", "resizeInstance accepts a running instance"),
    _gate("rebuild-running", "REBUILD_INSTANCE.STATUS_STOPPED", "rebuildInstance accepts a running instance"),
    _gate("vnc-of-stopped", "DESCRIBE_INSTANCE_VNC_URL.STATUS_RUNNING",
          "describeInstanceVncUrl answers for an instance that is not running"),
    _gate("start-in-arrears", "START_INSTANCE.CHARGE_NORMAL", "startInstance starts an instance in arrears"),
    _gate("delete-prepaid", "DELETE_INSTANCE.PREPAID_EXPIRED", "deleteInstance deletes a prepaid instance that "
          "has not expired"),
    _gate("delete-shared-image", "DELETE_IMAGE.NOT_SHARED", "deleteImage deletes an image still shared"),
    Fault("swapped-status", "state refusals (FAILED_PRECONDITION) answered as INVALID_ARGUMENT", _state_rules(),
          SwappedStatus, "missing status gate"),
    # kept (or lost) resources: seen only through later requests and observations
    _observed("kept-data-disks", "deleteInstance leaves its autoDelete data disks behind, available",
              KeptDisks, "kept resource", frozenset({"DISK.EXISTS"})),
    _observed("kept-system-disk", "deleteInstance leaves its cloud system disk behind, available",
              lambda: KeptDisks(system=True), "kept resource", frozenset({"DISK.EXISTS"})),
    _observed("kept-eip-binding", "deleteInstance leaves the elastic IP bound to the deleted interface",
              KeptElasticIpBinding, "kept resource"),
    _observed("released-eip", "deleteInstance releases the primary interface's elastic IP unasked",
              ReleasedElasticIp, "kept resource"),
    _observed("kept-usage", "deleteInstance does not give the instance back to the quota", KeptUsage,
              "kept resource"),
    # clientToken
    _observed("token-ignored", "createInstances ignores clientToken: a retry creates new instances", IgnoredToken,
              "ignored token"),
    _observed("token-forgotten", "clientTokens forgotten once the instances run", TokenForgottenOnSettle,
              "ignored token"),
    _observed("token-with-params", "a clientToken with other parameters creates instances anew", TokenWithParams,
              "ignored token"),
    # paging
    _observed("first-page-only", "describeInstances ignores pageNumber", lambda: WrongPaging("first-page"),
              "paging"),
    _observed("page-one-more", "describeInstances returns pageSize + 1 instances", lambda: WrongPaging("one-more"),
              "paging"),
    _observed("page-total", "describeInstances reports the page's length as totalCount",
              lambda: WrongPaging("page-total"), "paging"),
    _observed("page-shifted", "describeImages serves page n + 1 for every page after the first",
              lambda: WrongPaging("shifted", ("describeImages",)), "paging"),
    # time
    _observed("frozen-clock", "the clock never moves: prepaid instances never expire", WrongClock, "time"),
    _observed("half-clock", "the clock runs at half speed", lambda: WrongClock(rate=0.5), "time"),
    _observed("clock-lag-day", "every advance loses a day", lambda: WrongClock(rate=1.0, lag=86400), "time"),
    _observed("vnc-never-expires", "describeInstanceVncUrl hands out the same URL after its hour is over",
              LastingVncUrl, "time"),
    # acts when refused: the answer is the reference's refusal; only later reads show the change
    _observed("acts-when-refused-for-state", "a change refused for the resource's state (FAILED_PRECONDITION) "
              "is answered so, yet made", lambda: ActsWhenRefused(_changes_state_rules()), "acts when refused"),
    _observed("image-made-over-quota", "createImage and copyImages refused for the image quota make the images "
              "all the same", lambda: ActsWhenRefused({"CREATE_IMAGE.QUOTA", "COPY_IMAGES.QUOTA"}),
              "acts when refused"),
    _observed("resized-over-quota", "resizeInstance refused for the cpu or memory quota resizes all the same",
              lambda: ActsWhenRefused({"RESIZE_INSTANCE.CPU_QUOTA", "RESIZE_INSTANCE.MEMORY_QUOTA"}),
              "acts when refused"),
    # other
    # The quota shows first where the reference's best effort creates fewer instances than maxCount.
    Fault("quota-not-enforced", "createInstances ignores the instance quota (describeQuotas still shows it)",
          frozenset({"CREATE_INSTANCES.QUOTA_INSTANCE"}), UnenforcedQuota,
          effects=frozenset({"CREATE_INSTANCES.MAX_COUNT_BEST_EFFORT"})),
    Fault("id-leak", "another account's instance id resolves: the request acts on it (an unknown caller's too)",
          frozenset({"INSTANCE.EXISTS", "REQUEST.UNKNOWN_CALLER"}), LeakyIds),
)


def fault(name: str) -> Fault:
    """The fault called ``name``."""
    for f in FAULTS:
        if f.name == name:
            return f
    raise KeyError(f"no fault named {name!r}; known: {', '.join(f.name for f in FAULTS)}")
