"""Deliberately faulty in-process implementations: each breaks one seed rule, for testing the conformance kit.

Each is built over the engine, not by copying it: an operation with one rule taken out
(``dataclasses.replace(op, rules=...)``), a post-processing of the response envelope, or a different reading of
the caller. ``FAULTS`` lists them with the rule each breaks; ``tests/test_faulty_implementations.py`` checks the
kit finds every one under its default settings and names that rule, and ``property_tests/conformance_detection.py``
measures how fast.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from vmrules.catalogue import CATALOGUE
from vmrules.engine import execute
from vmrules.errors import Status
from vmrules.operation import Operation, Outcome
from vmrules.operations import OPERATION_TABLE
from vmrules.rules import Phase
from vmrules.testing.adapters import JSON, InProcessAdapter, SystemAdapter
from vmrules.world import World

__all__ = ["FAULTS", "Fault", "LeakyIds", "SwappedStatus", "UnenforcedQuota", "WithoutRules", "fault"]


class _Guarded(InProcessAdapter):
    """An in-process system that answers 500 instead of raising when its (broken) logic fails, as a server
    would."""

    def call(self, operation: str, params: JSON, caller: str) -> JSON:
        self._requests += 1
        try:
            outcome = self.run(operation, params, caller)
        except Exception as exc:  # a broken transition: the system's own bug, reported as a server error
            return {"requestId": f"faulty-{self._requests}",
                    "error": {"code": 500, "status": "INTERNAL", "message": f"{type(exc).__name__}: {exc}"}}
        self.world = outcome.world
        return self.answer(operation, params, caller, outcome.to_response(f"faulty-{self._requests}"))

    def run(self, operation: str, params: JSON, caller: str) -> Outcome:
        return execute(self.world, operation, params, caller=caller)

    def answer(self, operation: str, params: JSON, caller: str, envelope: JSON) -> JSON:
        return envelope


class WithoutRules(_Guarded):
    """The engine with some rules taken out of their operations: requests they would refuse go through."""

    def __init__(self, rule_ids: Iterable[str], world: World | None = None) -> None:
        super().__init__(world)
        removed = frozenset(rule_ids)
        self.table: Mapping[str, Operation[Any, Any]] = {
            name: dataclasses.replace(op, rules=tuple(r for r in op.rules if r.id not in removed))
            for name, op in OPERATION_TABLE.items() if any(r.id in removed for r in op.rules)
        }

    def run(self, operation: str, params: JSON, caller: str) -> Outcome:
        op = self.table.get(operation)
        if op is None:
            return execute(self.world, operation, params, caller=caller)
        parsed = op.parse(params)
        if isinstance(parsed, list):
            return Outcome(self.world, {}, parsed[0])
        return op(self.world, parsed, caller=caller)


class SwappedStatus(_Guarded):
    """Refusals for the resource's state (FAILED_PRECONDITION) reported as INVALID_ARGUMENT: same HTTP code
    (400), wrong status."""

    def answer(self, operation: str, params: JSON, caller: str, envelope: JSON) -> JSON:
        error = envelope.get("error")
        if error is not None and error["status"] == Status.FAILED_PRECONDITION.value:
            return {**envelope, "error": {**error, "status": Status.INVALID_ARGUMENT.value}}
        return envelope


class UnenforcedQuota(_Guarded):
    """The instance quota is shown but not enforced: internally every account's instance quota is unlimited;
    describeQuotas still reports the nominal limit."""

    UNLIMITED = 10**6

    def __init__(self, world: World | None = None) -> None:
        super().__init__(world)
        self.nominal: dict[str, int] = {}
        self.world = self._lift(self.world)

    def reset(self, snapshot: JSON) -> bool:
        super().reset(snapshot)
        self.world = self._lift(self.world)
        return True

    def _lift(self, world: World) -> World:
        accounts = world.accounts
        self.nominal = {}
        for pin, account in world.accounts.items():
            self.nominal[pin] = account.quota("instance")
            quotas = tuple((name, self.UNLIMITED if name == "instance" else limit) for name, limit in account.quotas)
            accounts = accounts.set(pin, dataclasses.replace(account, quotas=quotas))
        return world.evolve(accounts=accounts)

    def answer(self, operation: str, params: JSON, caller: str, envelope: JSON) -> JSON:
        result = envelope.get("result")
        if operation != "describeQuotas" or not isinstance(result, dict):
            return envelope
        quotas = [{**q, "limit": self.nominal.get(caller, q["limit"])} if q.get("resourceType") == "instance" else q
                  for q in result.get("quotas", [])]
        return {**envelope, "result": {**result, "quotas": quotas}}


class LeakyIds(_Guarded):
    """Instance ids resolved across accounts: a request naming another account's instance acts on it as if
    the caller owned it."""

    def run(self, operation: str, params: JSON, caller: str) -> Outcome:
        instance_id = params.get("instanceId") if isinstance(params, dict) else None
        inst = self.world.instances.get(instance_id) if isinstance(instance_id, str) else None
        if inst is not None and inst.owner != caller:
            caller = inst.owner
        return execute(self.world, operation, params, caller=caller)


@dataclass(frozen=True)
class Fault:
    """A faulty implementation: ``make()`` builds a fresh adapter; ``rules`` are the rule ids the kit may name
    when it finds it (the broken rule; for a swapped status, any rule whose status was swapped)."""

    name: str
    description: str
    rules: frozenset[str]
    make: Callable[[], SystemAdapter]


def _state_rules() -> frozenset[str]:
    return frozenset(rid for rid, entry in CATALOGUE.items() if entry.phase == Phase.STATE)


def _without(name: str, rule_id: str, description: str) -> Fault:
    return Fault(name, description, frozenset({rule_id}), lambda: WithoutRules([rule_id]))


FAULTS: tuple[Fault, ...] = (
    _without("ninth-data-disk", "ATTACH_DISK.DATA_DISK_LIMIT",
             "attachDisk accepts a 9th data disk on a local-system-disk instance (an 8th on a cloud one)"),
    _without("six-security-groups", "CREATE_INSTANCES.SECURITY_GROUP_COUNT",
             "createInstances accepts 6 security groups on the primary interface"),
    _without("twenty-first-share", "SHARE_IMAGE.MEMBER_LIMIT", "shareImage shares an image with a 21st account"),
    _without("local-generation-change", "RESIZE_INSTANCE.GENERATION_LOCAL_SYSTEM_DISK",
             "resizeInstance moves a local-system-disk instance between generation 1 and 2 types"),
    _without("stop-from-stopped", "STOP_INSTANCE.STATUS_RUNNING", "stopInstance accepts an instance that is not "
             "running"),
    Fault("swapped-status", "state refusals (FAILED_PRECONDITION) answered as INVALID_ARGUMENT", _state_rules(),
          SwappedStatus),
    Fault("quota-not-enforced", "createInstances ignores the instance quota (describeQuotas still shows it)",
          frozenset({"CREATE_INSTANCES.QUOTA_INSTANCE"}), UnenforcedQuota),
    Fault("id-leak", "another account's instance id resolves: the request acts on it",
          frozenset({"INSTANCE.EXISTS"}), LeakyIds),
    _without("ninth-data-disk-at-create", "CREATE_INSTANCES.DATA_DISK_COUNT_LOCAL",
             "createInstances accepts 9 data disks with a local system disk"),
)


def fault(name: str) -> Fault:
    """The fault called ``name``."""
    for f in FAULTS:
        if f.name == name:
            return f
    raise KeyError(f"no fault named {name!r}; known: {', '.join(f.name for f in FAULTS)}")
