"""The faulty systems behind ``vmrules.testing.faulty.FAULTS``: in-process adapters over the engine, each getting
one rule wrong in one way (a rule taken out, a limit one notch too far, a step not enforced, a resource left
behind by deleteInstance, a clientToken forgotten, a listing paged wrongly, a clock that does not keep time, a
rewritten envelope, a caller resolved across accounts, a VNC URL that never expires)."""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from vmrules.engine import advance, check, execute, settle
from vmrules.errors import Status
from vmrules.operation import Operation, Outcome
from vmrules.operations import OPERATION_TABLE
from vmrules.testing.adapters import JSON, InProcessAdapter
from vmrules.world import World


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



class ActsWhenRefused(_Guarded):
    """Acts first and validates after: a change refused by one of ``refusals`` (rule ids) is answered with the
    refusal, exactly as the reference answers it, yet takes effect as if those rules were not there (a system
    that provisions, then checks the status or the quota and reports the failure without rolling back). Only
    later reads show it."""

    def __init__(self, refusals: Iterable[str], world: World | None = None) -> None:
        super().__init__(world)
        self.refusals = frozenset(refusals)
        self.lenient = WithoutRules(self.refusals, self.world)  # given this system's world before each run

    def run(self, operation: str, params: JSON, caller: str) -> Outcome:
        outcome = execute(self.world, operation, params, caller=caller)
        if outcome.error is None or outcome.error.rule not in self.refusals:
            return outcome
        self.lenient.world = self.world
        try:
            applied = self.lenient.run(operation, params, caller)
        except Exception:  # a transition that cannot act on this state: then nothing changes, as in the reference
            return outcome
        return Outcome(applied.world if applied.ok else self.world, {}, outcome.error)


# ---- limits and steps ---------------------------------------------------------------------------------


def _nudges(value: Any, steps: tuple[int, ...], shorten: type | None) -> Iterator[Any]:
    """``value`` with one integer moved by one of ``steps`` (either way), or with one ``shorten`` value (a str
    or a list) one item shorter."""
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        for s in steps:
            yield value - s
            yield value + s
    elif isinstance(value, str):
        if value and shorten is str:
            yield value[:-1]
    elif isinstance(value, list):
        if value and shorten is list:
            yield value[:-1]
        for i, item in enumerate(value):
            for nudged in _nudges(item, steps, shorten):
                yield [*value[:i], nudged, *value[i + 1:]]
    elif isinstance(value, dict):
        for k, item in value.items():
            for nudged in _nudges(item, steps, shorten):
                yield {**value, k: nudged}


class _Loosened(WithoutRules, ABC):
    """The engine without one rule for the requests ``excused`` picks; with it otherwise."""

    def __init__(self, rule_id: str, world: World | None = None) -> None:
        super().__init__([rule_id], world)
        self.rule_id = rule_id

    @abstractmethod
    def excused(self, operation: str, params: JSON, caller: str) -> bool:
        """Whether this system lets ``params`` through although the rule refuses it."""

    def run(self, operation: str, params: JSON, caller: str) -> Outcome:
        found = check(self.world, operation, params, caller=caller)
        if found and found[0].rule == self.rule_id and self.excused(operation, params, caller):
            return super().run(operation, params, caller)
        return execute(self.world, operation, params, caller=caller)

    def _holds(self, operation: str, params: Any, caller: str) -> bool:
        return all(e.rule != self.rule_id for e in check(self.world, operation, params, caller=caller))


class OnePastLimit(_Loosened):
    """A limit taken one notch too far (``<=`` for ``<``): a request the rule refuses is accepted when one notch
    back would satisfy it — one number moved by ``step`` (``on="number"``), one string one character shorter
    (``"length"``) or one list one item shorter (``"count"``)."""

    def __init__(self, rule_id: str, step: int = 1, on: str = "number", world: World | None = None) -> None:
        super().__init__(rule_id, world)
        self.steps: tuple[int, ...] = (step,) if on == "number" else ()
        self.shorten: type | None = {"length": str, "count": list}.get(on)

    def excused(self, operation: str, params: JSON, caller: str) -> bool:
        return any(self._holds(operation, nudged, caller) for nudged in _nudges(params, self.steps, self.shorten))


class StepNotEnforced(_Loosened):
    """Sizes inside the range are accepted whatever their step (or in steps of ``step`` instead of 10)."""

    def __init__(self, rule_id: str, step: int = 1, world: World | None = None) -> None:
        super().__init__(rule_id, world)
        self.step = step

    def excused(self, operation: str, params: JSON, caller: str) -> bool:
        # Off the step but inside the range: rounding down and rounding up to the step both satisfy the rule.
        return self._holds(operation, _rounded(params, self.step, 0), caller) and \
            self._holds(operation, _rounded(params, self.step, 10), caller)


def _rounded(value: Any, step: int, up: int) -> Any:
    """Every integer that is a multiple of ``step`` but not of 10 rounded down to a multiple of 10, plus ``up``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value - value % 10 + up if value % step == 0 and value % 10 else value
    if isinstance(value, list):
        return [_rounded(v, step, up) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v, step, up) for k, v in value.items()}
    return value


# ---- what deleteInstance leaves behind ------------------------------------------------------------------


class _AfterSettle(_Guarded, ABC):
    """A system whose task completions differ: ``patch(before, after)`` rewrites the settled world."""

    def settle(self) -> None:
        before = self.world
        self.world = self.patch(before, settle(before))

    @abstractmethod
    def patch(self, before: World, after: World) -> World:
        """The world this system has after completing the tasks of ``before`` (the reference's: ``after``)."""


def _deleted(before: World, after: World) -> list[Any]:
    return [i for iid, i in before.instances.items() if iid not in after.instances]


class KeptDisks(_AfterSettle):
    """deleteInstance leaves the disks it should delete (autoDelete) behind, detached and available."""

    def __init__(self, system: bool = False, world: World | None = None) -> None:
        super().__init__(world)
        self.system = system

    def patch(self, before: World, after: World) -> World:
        disks = after.disks
        for inst in _deleted(before, after):
            ids = [inst.system_disk.disk_id] if self.system else [dd.disk_id for dd in inst.data_disks]
            for disk_id in ids:
                if disk_id is not None and disk_id in before.disks and disk_id not in disks:
                    disks = disks.set(disk_id, dataclasses.replace(before.disks[disk_id], attachments=(),
                                                                   status="available"))
        return after.evolve(disks=disks)


class KeptElasticIpBinding(_AfterSettle):
    """deleteInstance leaves the elastic IP bound to the interface that went with the instance."""

    def patch(self, before: World, after: World) -> World:
        eips = after.elastic_ips
        for eip_id, eip in before.elastic_ips.items():
            gone = eip.nic_id is not None and eip.nic_id not in after.network_interfaces
            if gone and eip_id in eips:
                eips = eips.set(eip_id, eip)
        return after.evolve(elastic_ips=eips)


class ReleasedElasticIp(_AfterSettle):
    """deleteInstance releases the elastic IP of the primary interface even when not asked to."""

    def patch(self, before: World, after: World) -> World:
        eips = after.elastic_ips
        for inst in _deleted(before, after):
            nic = before.network_interfaces.get(inst.primary_nic_id)
            if nic is not None and nic.elastic_ip_id is not None and nic.elastic_ip_id in eips:
                eips = eips.delete(nic.elastic_ip_id)
        return after.evolve(elastic_ips=eips)


class KeptUsage(_AfterSettle):
    """deleteInstance does not give the instance back to the quota: the account's usage keeps counting it."""

    def patch(self, before: World, after: World) -> World:
        for inst in _deleted(before, after):
            after = after.add_usage(inst.owner, inst.region, "instance", 1)
        return after


# ---- clientToken ------------------------------------------------------------------------------------------


class IgnoredToken(_Guarded):
    """createInstances ignores ``clientToken``: a retry creates the instances again."""

    def run(self, operation: str, params: JSON, caller: str) -> Outcome:
        if operation == "createInstances" and isinstance(params, dict):
            params = {k: v for k, v in params.items() if k != "clientToken"}
        return execute(self.world, operation, params, caller=caller)


class TokenForgottenOnSettle(_Guarded):
    """clientTokens are remembered only until the instances are running (a cache of requests in flight)."""

    def settle(self) -> None:
        self.world = settle(self.world)
        self.world = self.world.evolve(client_tokens=type(self.world.client_tokens)())


class TokenWithParams(_Guarded):
    """A clientToken replays only a request with the same parameters; with other parameters it creates anew."""

    def __init__(self, world: World | None = None) -> None:
        super().__init__(world)
        self.first: dict[tuple[str, str], JSON] = {}

    def run(self, operation: str, params: JSON, caller: str) -> Outcome:
        token = params.get("clientToken") if operation == "createInstances" and isinstance(params, dict) else None
        if isinstance(token, str):
            key = (caller, token)
            known = self.first.setdefault(key, params)
            if known != params:
                params = {k: v for k, v in params.items() if k != "clientToken"}
        return execute(self.world, operation, params, caller=caller)

    def reset(self, snapshot: JSON) -> bool:
        self.first = {}
        return super().reset(snapshot)


# ---- paging -----------------------------------------------------------------------------------------------

_LISTS = {"describeInstances": "instances", "describeInstanceStatus": "instanceStatuses",
          "describeInstancePrivateIpAddress": "instancePrivateIpAddress", "describeImages": "images",
          "describeInstanceTypes": "instanceTypes"}


class WrongPaging(_Guarded):
    """A listing paged wrongly: ``kind`` ``first-page`` ignores pageNumber, ``one-more`` returns pageSize + 1
    items, ``page-total`` reports the page's length as totalCount, ``shifted`` serves page n + 1 for n > 1."""

    def __init__(self, kind: str, operations: Iterable[str] = ("describeInstances",),
                 world: World | None = None) -> None:
        super().__init__(world)
        self.kind = kind
        self.operations = frozenset(operations)

    def run(self, operation: str, params: JSON, caller: str) -> Outcome:
        if operation in self.operations and isinstance(params, dict) and self.kind != "page-total":
            number, size = params.get("pageNumber"), params.get("pageSize")
            if self.kind == "first-page" and isinstance(number, int):
                params = {**params, "pageNumber": 1}
            elif self.kind == "one-more" and isinstance(size, int) and 1 <= size < 100:
                params = {**params, "pageSize": size + 1}
            elif self.kind == "shifted" and isinstance(number, int) and number > 1:
                params = {**params, "pageNumber": number + 1}
        return execute(self.world, operation, params, caller=caller)

    def answer(self, operation: str, params: JSON, caller: str, envelope: JSON) -> JSON:
        result = envelope.get("result")
        if self.kind != "page-total" or operation not in self.operations or not isinstance(result, dict):
            return envelope
        items = result.get(_LISTS.get(operation, ""), [])
        return {**envelope, "result": {**result, "totalCount": len(items) if isinstance(items, list) else 0}}


# ---- time -------------------------------------------------------------------------------------------------


class WrongClock(_Guarded):
    """The clock does not keep the API's time: ``rate`` 0 never moves (prepaid instances never expire),
    0.5 runs at half speed, and ``lag`` seconds are lost on every advance."""

    def __init__(self, rate: float = 0.0, lag: int = 0, world: World | None = None) -> None:
        super().__init__(world)
        self.rate = rate
        self.lag = lag

    def advance(self, seconds: int) -> None:
        moved = max(0, int(seconds * self.rate) - self.lag)
        if moved:
            self.world = advance(self.world, moved)



class LastingVncUrl(_Guarded):
    """describeInstanceVncUrl hands out the URL it first issued for an instance again and again: the URL never
    expires, where the seed gives it one hour."""

    def __init__(self, world: World | None = None) -> None:
        super().__init__(world)
        self.issued: dict[str, str] = {}

    def reset(self, snapshot: JSON) -> bool:
        self.issued = {}
        return super().reset(snapshot)

    def answer(self, operation: str, params: JSON, caller: str, envelope: JSON) -> JSON:
        result = envelope.get("result")
        if operation != "describeInstanceVncUrl" or not isinstance(result, dict) or "vncUrl" not in result:
            return envelope
        url = self.issued.setdefault(str(params.get("instanceId")), result["vncUrl"])
        return {**envelope, "result": {**result, "vncUrl": url}}
