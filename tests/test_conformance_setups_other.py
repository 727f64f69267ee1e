"""The conformance setups for images, disks, interfaces, filters, request shapes and resizeInstance: each rule
fires after its setup in a lockstep against the reference (and, where shown, not without it); a run fires every
rule of theirs but those no API request can reach; an adapter that cannot carry a request is not sent it."""

from __future__ import annotations

from typing import Any

import pytest

from vmrules.defaults import MAIN, SECOND
from vmrules.operations import OPERATION_TABLE
from vmrules.testing.adapters import EmulatorProcess, HttpAdapter, InProcessAdapter
from vmrules.testing.conformance import run_conformance
from vmrules.testing.conformance.directed import _once, directed_rules, send_pair
from vmrules.testing.conformance.lockstep import Lockstep
from vmrules.testing.conformance.setups import SETUPS, TEARDOWNS, attachments, filters, images, requests, resize
from vmrules.testing.conformance.setups.base import Registry

OPERATIONS = tuple(sorted(OPERATION_TABLE))
MODULES = (attachments, filters, images, requests, resize)
SETUP_RULES = sorted(rule for module in MODULES for rule in module.registry)

# The rules of these modules' scope that no request through the API can make the reference refuse, from the
# starting world (docs/decisions/conformance.md says why, one by one).
UNREACHABLE = frozenset({
    "REQUEST.UNKNOWN_FIELD",  # strict mode only; the API ignores unknown names
    "ASSOCIATE_ELASTIC_IP.PRIMARY_INTERFACE",  # every instance keeps its primary interface
    "ATTACH_NETWORK_INTERFACE.DEVICE_INDEX_FREE",  # 7 secondary interfaces: the world has 4 free ones
    "RESIZE_INSTANCE.ENCRYPTED_DISK_GENERATION_1",  # the kit never draws createInstances' encrypt: true
    "RESIZE_INSTANCE.GENERATION_CREATED_2016",  # instances are created at the world's clock, not in 2016
    "RESIZE_INSTANCE.LOCAL_NO_STORAGE_FAMILY",  # the world has no s.d1 / s.d2 type
})
OWN_RULES = frozenset({*SETUP_RULES, *UNREACHABLE})  # the rules these setups were written for
# Rules shown not to fire from the starting world without their setup (the pair search alone cannot build the
# state; a few cheap representatives of each module).
NEED_SETUP = ("ATTACH_DISK.NO_TASK", "DETACH_NETWORK_INTERFACE.NO_TASK", "ATTACH_DISK.MULTI_ATTACH_LIMIT",
              "SHARE_IMAGE.READY", "COPY_IMAGES.SOURCE_NO_TASK", "DELETE_IMAGE.LOCAL_IMAGE_IN_USE",
              "CREATE_IMAGE.DATA_DISK_LIMIT", "CREATE_IMAGE.QUOTA", "DESCRIBE_QUOTAS.FILTER_OPERATOR",
              "REQUEST.UNREADABLE", "RESIZE_INSTANCE.WINDOWS_CPU", "RESIZE_INSTANCE.CPU_QUOTA")


def _lockstep(adapter: Any = None) -> Lockstep:
    lock = Lockstep(adapter if adapter is not None else InProcessAdapter())
    assert lock.start() is None
    return lock


def _aim(lock: Lockstep, rule_id: str, seed: int) -> None:
    outcome = _once(seed, lambda data: send_pair(lock, data, rule_id, OPERATIONS, (MAIN, SECOND)))
    assert outcome is not None
    assert outcome[1] is None, f"the reference diverged from itself: {outcome[1]}"


def test_every_setup_rule_is_aimed_at_by_the_sweep() -> None:
    assert set(SETUP_RULES) <= set(directed_rules(OPERATIONS))
    assert not UNREACHABLE & set(SETUP_RULES)


@pytest.mark.parametrize("rule_id", SETUP_RULES)
def test_rule_fires_after_its_setup(rule_id: str) -> None:
    lock = _lockstep()
    _aim(lock, rule_id, seed=7)
    assert lock.rules_hit[rule_id] >= 1


@pytest.mark.parametrize("rule_id", NEED_SETUP)
def test_rule_does_not_fire_without_its_setup(rule_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(SETUPS, rule_id)
    lock = _lockstep()
    _aim(lock, rule_id, seed=7)
    assert rule_id not in lock.rules_hit


def test_a_filled_quota_is_freed_after_the_pair() -> None:
    lock = _lockstep()
    before = lock.model.used(MAIN, "cn-north-1", "image")
    _aim(lock, "CREATE_IMAGE.QUOTA", seed=3)
    assert lock.rules_hit["CREATE_IMAGE.QUOTA"] >= 1
    assert lock.model.used(MAIN, "cn-north-1", "image") <= before + 2  # the fill deleted; the setup's own kept
    assert "CREATE_IMAGE.QUOTA" in TEARDOWNS and "RESIZE_INSTANCE.CPU_QUOTA" in TEARDOWNS


def test_registries_refuse_a_rule_twice() -> None:
    registry = Registry()

    @registry.teardown_for("X.Y")
    def once(lock: Lockstep, caller: str) -> None:
        return None

    with pytest.raises(ValueError):
        registry.teardown_for("X.Y")(once)


class _WireOnly:
    """The reference behind an adapter that, like HTTP, carries only known operations with object parameters."""

    def __init__(self) -> None:
        self.inner = InProcessAdapter()
        self.sent: list[str] = []

    def call(self, operation: str, params: Any, caller: str) -> Any:
        self.sent.append(operation)
        return self.inner.call(operation, params, caller)

    def settle(self) -> None:
        self.inner.settle()

    def reset(self, snapshot: Any) -> bool:
        return self.inner.reset(snapshot)

    def carries(self, operation: str, params: Any) -> bool:
        return operation in OPERATION_TABLE and isinstance(params, dict)


@pytest.mark.parametrize("rule_id", ["REQUEST.UNKNOWN_OPERATION", "REQUEST.NOT_AN_OBJECT"])
def test_a_request_the_adapter_cannot_carry_is_skipped_not_fired(rule_id: str) -> None:
    adapter = _WireOnly()
    lock = _lockstep(adapter)
    _aim(lock, rule_id, seed=1)
    assert rule_id not in lock.rules_hit
    assert lock.skipped >= 1
    assert requests.UNKNOWN_OPERATION not in adapter.sent


def test_over_http_a_deep_body_fires_and_an_unknown_operation_is_skipped() -> None:
    with EmulatorProcess() as emulator:
        for rule_id, fires in (("REQUEST.UNREADABLE", True), ("REQUEST.UNKNOWN_OPERATION", False)):
            lock = _lockstep(HttpAdapter(emulator.url))
            _aim(lock, rule_id, seed=1)
            assert (rule_id in lock.rules_hit) == fires
            assert lock.skipped == (0 if fires else 1)


def test_http_adapter_carries_no_unknown_operation() -> None:
    http = HttpAdapter("http://127.0.0.1:9")
    assert not http.carries(requests.UNKNOWN_OPERATION, {"regionId": "cn-north-1"})
    assert not http.carries("stopInstance", ["regionId", "cn-north-1"])  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [1, 2])
def test_a_run_fires_every_reachable_rule_of_these_setups(seed: int) -> None:
    # The sweep that opens every run is what aims at these rules; one short random run after it keeps this fast.
    report = run_conformance(InProcessAdapter, steps=1, examples=1, seed=seed)
    assert report.ok, report.explanation
    missed = sorted(r for r in OWN_RULES - UNREACHABLE if r in report.rules_never_hit)
    assert not missed
