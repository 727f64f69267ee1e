"""The conformance kit: test any JD Cloud VM implementation against the reference, in lockstep, with hypothesis.

A system under test is reached through an adapter (``vmrules.testing.adapters.SystemAdapter``: ``call``,
``settle``, ``reset``). Each step is generated from the model's current world — mostly valid requests, a
controlled share of invalid ones each aimed at a known rule, ``settle`` and ``advance`` — and sent to both the
model (``vmrules.execute``) and the system, with the system's generated ids mapped to the model's. Success vs
failure, error status and code, and results must agree (the ``mode`` setting chooses how much is compared);
after every ``settle`` the observations (describeInstances, describeImages of own images, describeQuotas,
describeImageMembers) must agree for every caller used. Hypothesis shrinks a failing run to a minimal one,
reported as a trace in the format of ``vmrules run`` plus a paragraph naming the rule and its seed sentence.

Entry points (docs/conformance.md)::

    TestMine = conformance_test(lambda: MyAdapter())              # a pytest test in one line
    report = run_conformance(lambda: MyAdapter(), steps=40)       # scripts
    vmrules conform --url http://127.0.0.1:8000                   # the command line, over HTTP
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import re
import sys
import unittest
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeAlias

from hypothesis import HealthCheck, Phase, Verbosity
from hypothesis import seed as hypothesis_seed
from hypothesis import settings as HypothesisSettings
from hypothesis import strategies as st
from hypothesis.control import current_build_context
from hypothesis.stateful import RuleBasedStateMachine, get_state_machine_test, initialize, rule

from vmrules import builders
from vmrules.catalogue import CATALOGUE
from vmrules.defaults import MAIN, MEMBERS, NORTH, SECOND
from vmrules.engine import advance, execute, settle
from vmrules.model import Charge, Image, Instance
from vmrules.operation import Outcome
from vmrules.operations import OPERATION_TABLE
from vmrules.testing.adapters import SystemAdapter
from vmrules.testing.strategies import invalid_requests, valid_requests
from vmrules.world import World

JSON: TypeAlias = dict[str, Any]
Mode: TypeAlias = Literal["outcome", "status", "full"]
MODES: tuple[Mode, ...] = ("outcome", "status", "full")

__all__ = [
    "ConformanceFailure",
    "ConformanceMachine",
    "Divergence",
    "IdMap",
    "KitSettings",
    "Lockstep",
    "Report",
    "Step",
    "conformance_test",
    "edge_targets",
    "edge_world",
    "explain",
    "main",
    "minimize",
    "replay",
    "run_conformance",
    "trace_steps",
]

# Fields whose values legitimately differ between two correct implementations: request ids, times (a real
# system's clock is not the model's), MAC addresses, the VNC URL (it embeds a time-derived token).
VOLATILE = frozenset({
    "requestId", "launchTime", "createTime", "createdTime", "attachTime", "chargeStartTime", "chargeExpiredTime",
    "chargeRetireTime", "macAddress", "vncUrl",
})
# Keys under which a generated value (an id or an address) sits; pairing learns from these.
_GENERATED_KEY = re.compile(r".*(Id|Ids|IpAddress|Address)\Z")
_ID = re.compile(r"(i|img|vol|port|fip|snapshot|vpc|subnet|sg|lt|ag)-[A-Za-z0-9]+\Z")

# Typed here because older hypothesis releases leave it unannotated (mypy --strict would need an ignore that
# newer releases make unused).
_state_machine_test: Callable[..., Callable[..., None]] = get_state_machine_test


@dataclass(frozen=True)
class KitSettings:
    """What the kit compares and how it draws steps.

    * ``mode`` — ``outcome``: success vs failure only; ``status``: also the error status and code, and a summary
      of the observations after settle (ids and statuses, quotas, members); ``full``: also every result and
      observation after id mapping, volatile fields (``VOLATILE``) ignored.
    * ``invalid_share`` — the share of requests built to break a rule; ``edge_share`` — the share of those aimed
      at the seed limits the edge world sits at (``edge_targets``).
    * ``callers`` — the accounts that act (the first one acts most).
    * ``operations`` — restrict the operations drawn (default: every implemented one).
    * ``world`` — the starting world (default: ``edge_world()``); ``id_map`` — model id -> system id pairs
      known in advance (for systems that cannot be reset to the model's ids).
    * ``observe`` — compare observations after every settle; ``settle_every_step`` — settle both sides after
      every accepted change (for systems whose tasks complete on their own).
    * ``trace_dir`` — where ``run_conformance`` writes the trace of a divergence (None: not written).
    """

    mode: Mode = "full"
    invalid_share: float = 0.3
    edge_share: float = 0.5
    callers: tuple[str, ...] = (MAIN, SECOND)
    operations: tuple[str, ...] | None = None
    world: World | None = None
    id_map: Mapping[str, str] = field(default_factory=dict)
    observe: bool = True
    settle_every_step: bool = False
    trace_dir: str | None = None


# ==== the edge world ==================================================================================


def edge_world(base: World | None = None) -> World:
    """The default world with resources right at the seed's limits, so that a few steps reach the rules that
    matter: alice has a running local-system-disk instance with 8 data disks, a stopped cloud-system-disk one
    with 7, a stopped local-system-disk generation-2 instance, a running one with an elastic IP, one in
    arrears, one prepaid (expiring in three days), one in ``error``; an image shared with 20 accounts, one with
    19, an unshared one; bob has two instances and an instance quota of exactly two, and an image shared with
    alice. No task is in progress."""
    world = base if base is not None else World.default()
    clock = world.clock

    def ssd(n: int) -> list[builders.DataDiskPlan]:
        return [builders.DataDiskPlan("ssd", 20 + 10 * i) for i in range(n)]

    _, world = builders.add_instance(world, owner=MAIN, name="edge-local8", image_id="img-centos7lcl",
                                     system_disk="local", data_disks=ssd(8), status="running")
    _, world = builders.add_instance(world, owner=MAIN, name="edge-cloud7", data_disks=ssd(7), status="stopped")
    _, world = builders.add_instance(world, owner=MAIN, name="edge-local-g2", image_id="img-centos7lcl",
                                     instance_type="g.n2.large", system_disk="local", data_disks=ssd(1),
                                     status="stopped")
    web, world = builders.add_instance(world, owner=MAIN, name="edge-web", data_disks=ssd(1), status="running")
    world = builders.bind_elastic_ip(world, "fip-free000all", world.instances[web].primary_nic_id)
    _, world = builders.add_instance(world, owner=MAIN, name="edge-arrears", status="stopped",
                                     charge=Charge("postpaid_by_duration", "arrear", clock - 86400))
    _, world = builders.add_instance(world, owner=MAIN, name="edge-prepaid", status="running",
                                     charge=Charge("prepaid_by_duration", "normal", clock - 86400,
                                                   clock + 3 * 86400))
    _, world = builders.add_instance(world, owner=MAIN, name="edge-error", status="error")
    world = _add_image(world, MAIN, "edge-shared20", MEMBERS[:20])
    world = _add_image(world, MAIN, "edge-shared19", MEMBERS[:19])
    world = _add_image(world, MAIN, "edge-private", ())
    _, world = builders.add_instance(world, owner=SECOND, name="bob-run", subnet_id="subnet-bobnet001a",
                                     status="running")
    _, world = builders.add_instance(world, owner=SECOND, name="bob-stop", subnet_id="subnet-bobnet001a",
                                     status="stopped")
    world = _add_image(world, SECOND, "bob-for-alice", (MAIN,))
    bob = world.accounts[SECOND]
    quotas = tuple((name, world.used(SECOND, NORTH, "instance") if name == "instance" else limit)
                   for name, limit in bob.quotas)
    world = world.evolve(accounts=world.accounts.set(SECOND, dataclasses.replace(bob, quotas=quotas)))
    return settle(world)


def _add_image(world: World, owner: str, name: str, shared_with: Sequence[str]) -> World:
    image_id, world = world.new_id("img-")
    snapshot_id, world = builders.add_snapshot(world, owner=owner, region=NORTH, disk_type="ssd", size_gb=40,
                                               image_id=image_id)
    image = Image(image_id, owner, NORTH, name, "private", "CentOS", "linux", "7.6", "cloudDisk", 40,
                  create_time=world.clock, size_mb=10240, snapshot_id=snapshot_id, shared_with=tuple(shared_with))
    return builders.add_image(world, image)


# ==== requests aimed at the edges =====================================================================

EdgeRequest: TypeAlias = tuple[str, str, JSON]  # (operation, caller, params)


@dataclass(frozen=True)
class EdgeTarget:
    """Requests aimed at one rule: ``build(world, callers)`` gives (operation, caller, params) candidates the
    world allows (empty when it has none). The model's answer stays the oracle: a request that misses its
    target is still a valid lockstep step."""

    rule: str
    build: Callable[[World, Sequence[str]], list[EdgeRequest]]


def _idle_instances(world: World, callers: Sequence[str], where: Callable[[Instance], bool]) -> list[Instance]:
    return sorted((i for i in world.instances.values()
                   if i.owner in callers and not world.busy(i.instance_id) and where(i)),
                  key=lambda i: i.instance_id)


def _cap(inst: Instance) -> int:
    return 8 if inst.system_disk.category == "local" else 7


def _ninth_disk(world: World, callers: Sequence[str]) -> list[EdgeRequest]:
    full = _idle_instances(world, callers, lambda i: i.status in ("running", "stopped")
                           and len(i.data_disks) >= _cap(i))
    return [("attachDisk", i.owner, {"regionId": NORTH, "instanceId": i.instance_id, "diskId": d.disk_id})
            for i in full for d in sorted(world.disks.values(), key=lambda d: d.disk_id)
            if d.owner == i.owner and d.az == i.az and d.status == "available" and not d.attachments
            and not world.busy(d.disk_id)]


def _create_spec(world: World, caller: str, *, local: bool = False, groups: int = 0,
                 data_disks: int = 0) -> JSON | None:
    """A createInstances request of ``caller`` that only the count given (groups, data disks) can break."""
    subnets = sorted((s for s in world.subnets.values() if s.owner == caller and s.region == NORTH),
                     key=lambda s: (-sum(1 for g in world.security_groups.values() if g.vpc_id == s.vpc_id),
                                    s.subnet_id))
    if not subnets:
        return None
    subnet = subnets[0]
    sgs = sorted(g.security_group_id for g in world.security_groups.values()
                 if g.vpc_id == subnet.vpc_id and g.owner == caller)
    nic: JSON = {"subnetId": subnet.subnet_id}
    if groups:
        if len(sgs) < groups:
            return None
        nic["securityGroups"] = sgs[:groups]
    spec: JSON = {"az": subnet.az, "instanceType": "g.n2.medium",
                  "imageId": "img-centos7lcl" if local else "img-centos7cld", "name": "edge-vm",
                  "primaryNetworkInterface": {"networkInterface": nic},
                  "systemDisk": {"diskCategory": "local"} if local else
                  {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}}}
    if data_disks:
        spec["dataDisks"] = [{"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 20}}
                             for _ in range(data_disks)]
    return {"regionId": NORTH, "instanceSpec": spec}


def _create_with(**counts: Any) -> Callable[[World, Sequence[str]], list[EdgeRequest]]:
    def build(world: World, callers: Sequence[str]) -> list[EdgeRequest]:
        items = []
        for caller in callers:
            params = _create_spec(world, caller, **counts)
            if params is not None:
                items.append(("createInstances", caller, params))
        return items

    return build


def _at_quota(world: World, callers: Sequence[str]) -> list[EdgeRequest]:
    items = []
    for caller in callers:
        account = world.accounts.get(caller)
        if account is None or world.used(caller, NORTH, "instance") < account.quota("instance"):
            continue
        params = _create_spec(world, caller)
        if params is not None:
            items.append(("createInstances", caller, params))
    return items


def _twenty_first_share(world: World, callers: Sequence[str]) -> list[EdgeRequest]:
    items = []
    for image in sorted(world.images.values(), key=lambda i: i.image_id):
        if image.owner not in callers or image.source != "private" or image.whole_machine \
                or image.status != "ready" or len(image.shared_with) < 18:
            continue
        others = [p for p in sorted(world.accounts) if p != image.owner and p not in image.shared_with]
        pins = others[:21 - len(image.shared_with)]
        if pins:
            items.append(("shareImage", image.owner, {"regionId": NORTH, "imageId": image.image_id, "pins": pins}))
    return items


def _local_generation_change(world: World, callers: Sequence[str]) -> list[EdgeRequest]:
    items = []
    for inst in _idle_instances(world, callers, lambda i: i.status == "stopped"
                                and i.system_disk.category == "local"):
        current = world.instance_types.get(inst.instance_type)
        if current is None:
            continue
        for t in sorted(world.instance_types.values(), key=lambda t: t.instance_type):
            if t.generation != current.generation and not t.offline and t.stock_in(inst.az) \
                    and not t.local_disks and 1 + len(inst.secondary_nic_ids) <= t.nic_limit:
                items.append(("resizeInstance", inst.owner, {"regionId": NORTH, "instanceId": inst.instance_id,
                                                             "instanceType": t.instance_type}))
    return items


def _stop_stopped(world: World, callers: Sequence[str]) -> list[EdgeRequest]:
    return [("stopInstance", i.owner, {"regionId": NORTH, "instanceId": i.instance_id})
            for i in _idle_instances(world, callers, lambda i: i.status == "stopped")]


_INSTANCE_OPS = ("describeInstance", "stopInstance", "startInstance", "rebootInstance", "deleteInstance",
                 "describeInstanceVncUrl")


def _foreign_instance(world: World, callers: Sequence[str]) -> list[EdgeRequest]:
    return [(op, caller, {"regionId": NORTH, "instanceId": i.instance_id})
            for caller in callers for i in sorted(world.instances.values(), key=lambda i: i.instance_id)
            if i.owner != caller and i.owner in callers for op in _INSTANCE_OPS]


def _foreign_image(world: World, callers: Sequence[str]) -> list[EdgeRequest]:
    return [(op, caller, {"regionId": NORTH, "imageId": i.image_id})
            for caller in callers for i in sorted(world.images.values(), key=lambda i: i.image_id)
            if i.source == "private" and i.owner != caller and caller not in i.shared_with
            for op in ("describeImage", "deleteImage", "describeImageMembers")]


EDGE_TARGETS: tuple[EdgeTarget, ...] = (
    EdgeTarget("ATTACH_DISK.DATA_DISK_LIMIT", _ninth_disk),
    EdgeTarget("CREATE_INSTANCES.SECURITY_GROUP_COUNT", _create_with(groups=6)),
    EdgeTarget("CREATE_INSTANCES.DATA_DISK_COUNT_LOCAL", _create_with(local=True, data_disks=9)),
    EdgeTarget("CREATE_INSTANCES.DATA_DISK_COUNT_CLOUD", _create_with(data_disks=8)),
    EdgeTarget("CREATE_INSTANCES.QUOTA_INSTANCE", _at_quota),
    EdgeTarget("SHARE_IMAGE.MEMBER_LIMIT", _twenty_first_share),
    EdgeTarget("RESIZE_INSTANCE.GENERATION_LOCAL_SYSTEM_DISK", _local_generation_change),
    EdgeTarget("STOP_INSTANCE.STATUS_RUNNING", _stop_stopped),
    EdgeTarget("INSTANCE.EXISTS", _foreign_instance),
    EdgeTarget("IMAGE.EXISTS", _foreign_image),
)


def edge_targets() -> tuple[EdgeTarget, ...]:
    """The rules the kit aims at directly, at the limits the edge world sits at."""
    return EDGE_TARGETS


# ==== id mapping and comparison =======================================================================


class IdMap:
    """A two-way map between the model's ids (and addresses) and the system's, learned as resources appear."""

    def __init__(self, known: Mapping[str, str] | None = None) -> None:
        self.to_system: dict[str, str] = dict(known or {})
        self.to_model: dict[str, str] = {v: k for k, v in self.to_system.items()}

    def learn(self, model_value: str, system_value: str) -> None:
        if model_value in self.to_system or system_value in self.to_model:
            return
        self.to_system[model_value] = system_value
        self.to_model[system_value] = model_value

    def pair(self, model_json: Any, system_json: Any) -> None:
        """Walk two results of the same shape side by side and learn every generated value at the same place
        (ids and addresses; lists by position)."""
        for key, m, s in _parallel(model_json, system_json, ""):
            if isinstance(m, str) and isinstance(s, str) and m and s and (_GENERATED_KEY.match(key) or _ID.match(m)):
                self.learn(m, s)

    def system(self, value: Any) -> Any:
        """``value`` with the model's ids replaced by the system's."""
        return _translate(value, self.to_system)

    def model(self, value: Any) -> Any:
        """``value`` with the system's ids replaced by the model's."""
        return _translate(value, self.to_model)


def _parallel(m: Any, s: Any, key: str) -> Iterator[tuple[str, Any, Any]]:
    if isinstance(m, dict) and isinstance(s, dict):
        for k in m:
            if k in s:
                yield from _parallel(m[k], s[k], k)
    elif isinstance(m, list) and isinstance(s, list):
        for a, b in zip(m, s, strict=False):
            yield from _parallel(a, b, key)
    else:
        yield key, m, s


def _translate(value: Any, table: Mapping[str, str]) -> Any:
    if not table:
        return value
    if isinstance(value, str):
        if value in table:
            return table[value]
        if "/" in value:  # composite ids such as attachmentId "vol-x/i-y"
            return "/".join(table.get(part, part) for part in value.split("/"))
        return value
    if isinstance(value, list):
        return [_translate(v, table) for v in value]
    if isinstance(value, dict):
        return {k: _translate(v, table) for k, v in value.items()}
    return value


def normalized(value: Any) -> Any:
    """``value`` without its volatile members (``VOLATILE``)."""
    if isinstance(value, dict):
        return {k: normalized(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [normalized(v) for v in value]
    return value


def first_difference(a: Any, b: Any, where: str = "result") -> tuple[str, Any, Any] | None:
    """The first place two JSON values differ: (path, a's value there, b's value there)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{where}.{k}", a.get(k, "<absent>"), b.get(k, "<absent>")
            found = first_difference(a[k], b[k], f"{where}.{k}")
            if found is not None:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            found = first_difference(x, y, f"{where}[{i}]")
            if found is not None:
                return found
        if len(a) != len(b):
            return f"{where} (length)", len(a), len(b)
        return None
    if type(a) is not type(b) or a != b:
        return where, a, b
    return None


# ==== one divergence ==================================================================================


@dataclass(frozen=True)
class Divergence:
    """Where the system first behaved differently from the reference.

    ``kind``: ``outcome`` (one succeeded, the other failed), ``status`` (both failed, differently), ``result``
    (both succeeded, different results), ``observation`` (an observation after settle differs), ``transport``
    (the system's reply is not an API envelope). ``step`` counts the steps of the run from 1."""

    kind: str
    step: int
    operation: str
    caller: str
    params: JSON
    reference: JSON
    system: JSON
    rule: str | None = None
    where: str | None = None
    reference_value: Any = None
    system_value: Any = None


@dataclass(frozen=True)
class Step:
    """One step as run: an API request (model ids), ``settle`` or ``advance``."""

    op: str
    params: JSON | None = None
    caller: str | None = None
    seconds: int = 0


class ConformanceFailure(AssertionError):
    """Raised inside the state machine at a divergence; carries it, the steps that led to it, the trace and
    the explanation."""

    def __init__(self, divergence: Divergence, steps: Sequence[Step], trace: str, start: World,
                 reset: bool) -> None:
        self.divergence = divergence
        self.steps = tuple(steps)
        self.trace = trace
        self.explanation = explain(divergence)
        self.start = start
        self.reset = reset
        super().__init__(self.explanation + "\n\nTrace (replay with `vmrules run`):\n" + trace)


def _short(value: Any, limit: int = 300) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[:limit] + "…"


def _system_says(reply: JSON) -> str:
    error = reply.get("error")
    if isinstance(error, dict):
        return (f"refused it with {error.get('status')} ({error.get('code')}): "
                f"{error.get('message')}")
    if "result" in reply:
        return f"accepted it, result {_short(reply.get('result'))}"
    return f"answered with something that is not an API envelope: {_short(reply)}"


def explain(d: Divergence) -> str:
    """One paragraph: the step, the request, what the reference said (rule and seed sentence), what the
    system said."""
    head = (f"Step {d.step}: {d.operation} as {d.caller} with {_short(d.params)}.")
    error = d.reference.get("error")
    if d.kind == "observation":
        head = (f"Step {d.step}: after settle, the observation {d.operation} as {d.caller} "
                f"({_short(d.params)}) differs.")
    if error is not None:
        ref = f"The reference refused it with {error['status']} ({error['code']}), rule {d.rule}"
        entry = CATALOGUE.get(d.rule or "")
        if entry is not None:
            ref += f": {entry.statement}"
            if entry.seed_quote:
                ref += f" Seed: “{entry.seed_quote}”."
            elif entry.rule.source.note:
                ref += f" Source ({entry.rule.source.kind}): {entry.rule.source.note}."
        ref += f" Its message: {error['message']}"
    else:
        ref = f"The reference accepted it (result {_short(d.reference.get('result'))})"
    if d.kind in ("result", "observation"):
        tail = (f"The system's result differs at {d.where}: the reference has {_short(d.reference_value, 120)}, "
                f"the system {_short(d.system_value, 120)}.")
    else:
        tail = f"The system {_system_says(d.system)}."
    return f"{head} {ref.rstrip('.')}. {tail}"


# ==== the lockstep driver =============================================================================


def _expect(outcome: Outcome) -> Any:
    if outcome.error is None:
        return "ok"
    return {"status": outcome.error.status, "code": outcome.error.code, "rule": outcome.error.rule}


def _is_envelope(reply: Any) -> bool:
    if not isinstance(reply, dict):
        return False
    error = reply.get("error")
    if error is not None:
        return isinstance(error, dict) and isinstance(error.get("status"), str)
    return isinstance(reply.get("result"), dict)


def _mutating(operation: str) -> bool:
    return not operation.startswith("describe")


class Lockstep:
    """Drives the model and a system side by side, one step at a time; each method returns the first
    ``Divergence`` or None. Keeps the trace of every step run (model ids, the model's expectations)."""

    def __init__(self, adapter: SystemAdapter, kit: KitSettings | None = None) -> None:
        self.adapter = adapter
        self.kit = kit or KitSettings()
        self.start_world = self.kit.world if self.kit.world is not None else edge_world()
        self.model = self.start_world
        self.ids = IdMap(self.kit.id_map)
        self.trace: list[JSON] = []
        self.history: list[Step] = []
        self.steps = 0
        self.skipped = 0
        self.callers_seen: set[str] = {self.kit.callers[0]} if self.kit.callers else {MAIN}
        self.rules_hit: Counter[str] = Counter()
        self.reset_ok = False
        self.can_advance = callable(getattr(adapter, "advance", None))

    # ---- steps ----------------------------------------------------------------------------------------

    def start(self) -> Divergence | None:
        """Bring the system to the starting world (``reset``), or, when it cannot be reset, start from the
        default world and build the edges the API can build (``setup_through_api``)."""
        if self.adapter.reset(self.start_world.to_dict()):
            self.reset_ok = True
            self.model = self.start_world
            return None
        self.start_world = self.model = World.default()
        return self.setup_through_api()

    def request(self, operation: str, params: JSON, caller: str) -> Divergence | None:
        """Send one request to both; compare."""
        system_params = self.ids.system(params)
        carries = getattr(self.adapter, "carries", None)
        if callable(carries) and not carries(operation, system_params):
            self.skipped += 1
            return None
        self.steps += 1
        self.history.append(Step(operation, params, caller))
        self.callers_seen.add(caller)
        outcome = execute(self.model, operation, params, caller=caller)
        reply = self.adapter.call(operation, system_params, caller)
        record: JSON = {"op": operation, "params": params, "caller": caller, "expect": _expect(outcome)}
        self.trace.append(record)
        self.model = outcome.world
        if outcome.error is not None:
            self.rules_hit[outcome.error.rule] += 1
        reference = outcome.to_response("reference")
        if outcome.ok and _is_envelope(reply) and "result" in reply:
            self._learn(operation, outcome.result, reply["result"], caller)
        divergence = self._compare(operation, params, caller, reference, reply,
                                   outcome.error.rule if outcome.error else None, "request")
        if divergence is not None:
            record["note"] = "DIVERGES: " + explain(divergence)
            return divergence
        if self.kit.settle_every_step and outcome.ok and _mutating(operation):
            return self.settle()
        return None

    def settle(self) -> Divergence | None:
        """Complete every task on both sides, then compare the observations."""
        self.model = settle(self.model)
        self.adapter.settle()
        self.trace.append({"op": "settle"})
        self.history.append(Step("settle"))
        if not self.kit.observe or self.kit.mode == "outcome":
            return None
        return self.observe()

    def advance(self, seconds: int) -> Divergence | None:
        """Move both clocks forward (only when the adapter has ``advance``)."""
        if not self.can_advance:
            return None
        self.model = advance(self.model, seconds)
        getattr(self.adapter, "advance")(seconds)  # noqa: B009 - optional protocol method
        self.trace.append({"op": "advance", "seconds": seconds})
        self.history.append(Step("advance", seconds=seconds))
        return None

    def run(self, step: Step) -> Divergence | None:
        """Run one recorded step."""
        if step.op == "settle":
            return self.settle()
        if step.op == "advance":
            return self.advance(step.seconds)
        return self.request(step.op, step.params or {}, step.caller or MAIN)

    def failure(self, divergence: Divergence) -> ConformanceFailure:
        return ConformanceFailure(divergence, self.history, self.trace_text(), self.start_world, self.reset_ok)

    # ---- observations ----------------------------------------------------------------------------------

    def observations(self, caller: str) -> Iterator[tuple[str, JSON]]:
        """The read-only requests whose answers must agree after settle, for one caller."""
        instances = sum(1 for i in self.model.instances.values() if i.owner == caller and i.region == NORTH)
        for page in range(1, max(1, -(-instances // 100)) + 1):
            yield "describeInstances", {"regionId": NORTH, "pageNumber": page, "pageSize": 100}
        own = sorted(i.image_id for i in self.model.images.values()
                     if i.owner == caller and i.region == NORTH and i.source == "private")
        for page in range(1, max(1, -(-len(own) // 100)) + 1):
            yield "describeImages", {"regionId": NORTH, "imageSource": "private", "pageNumber": page,
                                     "pageSize": 100}
        yield "describeQuotas", {"regionId": NORTH}
        for image_id in own:
            yield "describeImageMembers", {"regionId": NORTH, "imageId": image_id}

    def observe(self) -> Divergence | None:
        for caller in sorted(self.callers_seen):
            for operation, params in self.observations(caller):
                outcome = execute(self.model, operation, params, caller=caller)
                reply = self.adapter.call(operation, self.ids.system(params), caller)
                divergence = self._compare(operation, params, caller, outcome.to_response("reference"), reply,
                                           outcome.error.rule if outcome.error else None, "observation")
                if divergence is not None:
                    expect: Any = _expect(outcome)
                    if outcome.ok:
                        expect = {"result": normalized(outcome.result)}
                    self.trace.append({"op": operation, "params": params, "caller": caller, "expect": expect,
                                       "note": "DIVERGES: " + explain(divergence)})
                    return divergence
        return None

    # ---- comparison ------------------------------------------------------------------------------------

    def _compare(self, operation: str, params: JSON, caller: str, reference: JSON, reply: Any,
                 rule_id: str | None, context: str) -> Divergence | None:
        def diverge(kind: str, where: str | None = None, a: Any = None, b: Any = None) -> Divergence:
            return Divergence(kind if context == "request" or kind == "transport" else "observation",
                              self.steps, operation, caller, params, reference,
                              reply if isinstance(reply, dict) else {"reply": reply}, rule_id, where, a, b)

        if not _is_envelope(reply):
            return diverge("transport")
        ref_error = reference.get("error")
        sys_error = reply.get("error")
        if (ref_error is None) != (sys_error is None):
            return diverge("outcome")
        mode = self.kit.mode
        if ref_error is not None:
            if mode != "outcome" and (ref_error["status"], ref_error["code"]) != (
                    sys_error.get("status"), sys_error.get("code")):
                return diverge("status", "error", f"{ref_error['status']} {ref_error['code']}",
                               f"{sys_error.get('status')} {sys_error.get('code')}")
            return None
        if mode == "outcome" or (mode == "status" and context == "request"):
            return None
        ref_result = normalized(reference["result"])
        sys_result = normalized(self.ids.model(reply["result"]))
        if mode == "status":
            ref_result, sys_result = _summary(operation, ref_result), _summary(operation, sys_result)
        found = first_difference(ref_result, sys_result)
        if found is None:
            return None
        return diverge("result", *found)

    def _learn(self, operation: str, model_result: JSON, system_result: Any, caller: str) -> None:
        """Learn the ids a create returned, then the ids of what came with them (disks, interfaces, snapshots)
        by describing the new resources on both sides."""
        if not isinstance(system_result, dict):
            return
        if operation == "createInstances":
            pairs = list(zip(model_result.get("instanceIds", []), system_result.get("instanceIds", []) or [],
                             strict=False))
            follow = "describeInstance", "instanceId", "instance"
        elif operation == "createImage":
            pairs = [(model_result.get("imageId"), system_result.get("imageId"))]
            follow = "describeImage", "imageId", "image"
        elif operation == "copyImages":
            pairs = [(m.get("destinationImageId"), s.get("destinationImageId"))
                     for m, s in zip(model_result.get("copyImages", []), system_result.get("copyImages", []) or [],
                                     strict=False) if isinstance(m, dict) and isinstance(s, dict)]
            follow = "describeImage", "imageId", "image"
        else:
            return
        for model_id, system_id in pairs:
            if not (isinstance(model_id, str) and isinstance(system_id, str)):
                continue
            self.ids.learn(model_id, system_id)
            op, key, member = follow
            region = self._region_of(model_id)
            seen = execute(self.model, op, {"regionId": region, key: model_id}, caller=caller)
            reply = self.adapter.call(op, {"regionId": region, key: system_id}, caller)
            if seen.ok and _is_envelope(reply) and "result" in reply:
                self.ids.pair(seen.result.get(member), reply["result"].get(member))

    def _region_of(self, model_id: str) -> str:
        image = self.model.images.get(model_id)
        if image is not None:
            return image.region
        inst = self.model.instances.get(model_id)
        return inst.region if inst is not None else NORTH

    # ---- building the start through the API ------------------------------------------------------------

    def setup_through_api(self) -> Divergence | None:
        """For systems that cannot be reset: build what the API can of the edge world, in lockstep (a local
        system disk with 8 data disks, a stopped cloud one with 7, an image shared with 20 accounts, an instance
        of the second caller)."""
        main = self.kit.callers[0] if self.kit.callers else MAIN
        world = self.model
        made: list[str] = []
        for spec in (_create_spec(world, main, local=True, data_disks=8), _create_spec(world, main, data_disks=7),
                     _create_spec(world, main)):
            if spec is None:
                continue
            found = self.request("createInstances", spec, main) or self.settle()
            if found is not None:
                return found
            made.extend(i.instance_id for i in self.model.instances.values()
                        if i.owner == main and i.instance_id not in made)
        steps: list[tuple[str, Callable[[], JSON | None]]] = []
        if len(made) >= 3:
            cloud7, plain = made[1], made[2]
            steps = [
                ("stopInstance", lambda: {"regionId": NORTH, "instanceId": cloud7}),
                ("stopInstance", lambda: {"regionId": NORTH, "instanceId": plain}),
                ("settle", lambda: None),
                ("createImage", lambda: {"regionId": NORTH, "instanceId": plain, "name": "edge-shared20"}),
                ("settle", lambda: None),
                ("shareImage", lambda: self._share_all(main)),
            ]
        for operation, make in steps:
            if operation == "settle":
                found = self.settle()
            else:
                params = make()
                found = self.request(operation, params, main) if params is not None else None
            if found is not None:
                return found
        for other in self.kit.callers[1:2]:
            spec = _create_spec(self.model, other)
            if spec is not None:
                found = self.request("createInstances", spec, other)
                if found is not None:
                    return found
        return self.settle()

    def _share_all(self, owner: str) -> JSON | None:
        images = sorted((i for i in self.model.images.values() if i.owner == owner and i.source == "private"
                         and not i.shared_with), key=lambda i: -i.create_time)
        if not images:
            return None
        pins = [p for p in sorted(self.model.accounts) if p != owner][:20]
        return {"regionId": NORTH, "imageId": images[0].image_id, "pins": pins}

    # ---- the trace -------------------------------------------------------------------------------------

    def trace_text(self, world_file: str = "start-world.json") -> str:
        """The steps run so far as a ``vmrules run`` trace (JSON Lines) with the model's expectations."""
        lines = [
            "# vmrules conformance trace: the steps up to the first divergence, with the reference's expectations.",
            f"# Replay against the reference: vmrules run TRACE.jsonl --world {world_file}",
        ]
        lines += [json.dumps(step, ensure_ascii=False) for step in self.trace]
        return "\n".join(lines) + "\n"


def _summary(operation: str, result: Any) -> Any:
    """What ``status`` mode compares of an observation: ids and statuses, quotas, members."""
    if not isinstance(result, dict):
        return result
    if operation == "describeInstances":
        return [(i.get("instanceId"), i.get("status")) for i in result.get("instances", []) if isinstance(i, dict)]
    if operation == "describeImages":
        return [(i.get("imageId"), i.get("status")) for i in result.get("images", []) if isinstance(i, dict)]
    return result


# ==== hypothesis: the state machine ===================================================================


@dataclass
class RunStats:
    """Counts across the examples of one run (filled by the machine)."""

    examples: int = 0
    steps: int = 0
    skipped: int = 0
    # (run, step within the run, steps since the start) of the first divergence, before minimization
    first_detection: tuple[int, int, int] | None = None
    rules_hit: Counter[str] = field(default_factory=Counter)


_KINDS = ("request",) * 16 + ("settle",) * 3 + ("advance",)

# Hypothesis's own shrinking rarely helps here (each step's draws depend on the world the earlier steps left,
# so deleting a step misaligns the rest and costs minutes); the machine minimizes the concrete steps of the
# final failing run instead (``minimize``), which takes about a second.
KIT_HYPOTHESIS_SETTINGS = HypothesisSettings(
    max_examples=30, stateful_step_count=40, deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=list(HealthCheck), report_multiple_bugs=False)


class ConformanceMachine(RuleBasedStateMachine):
    """Lockstep conformance as a hypothesis state machine. Subclass it with ``adapter_factory`` (and optionally
    ``kit``), then ``TestMine = MyMachine.TestCase``; or use ``conformance_test`` / ``run_conformance``."""

    adapter_factory: Callable[[], SystemAdapter] | None = None
    kit: KitSettings = KitSettings()
    stats: RunStats | None = None
    shrink: bool = True  # minimize the divergence hypothesis reports (``minimize``)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # ``@settings`` on a machine class does not pass to its subclasses: give each the kit's settings (a
        # ``@settings`` decorator on the subclass itself still wins, as it is applied afterwards).
        cls.TestCase.settings = KIT_HYPOTHESIS_SETTINGS

    def __init__(self) -> None:
        super().__init__()
        factory = type(self).adapter_factory
        if factory is None:
            raise TypeError(f"{type(self).__name__}.adapter_factory is not set")
        self.adapter = factory()
        self.lockstep = Lockstep(self.adapter, type(self).kit)
        kit = self.lockstep.kit
        self.operations = tuple(sorted(kit.operations or OPERATION_TABLE))
        # Changes are drawn three times as often as queries.
        self.weighted = tuple(op for op in self.operations for _ in range(3 if _mutating(op) else 1))
        self.callers = tuple(kit.callers[:1] * 3 + kit.callers[1:]) or (MAIN,)
        invalid = round(20 * kit.invalid_share)
        edge = round(invalid * kit.edge_share)
        self.modes = ("valid",) * (20 - invalid) + ("edge",) * edge + ("invalid",) * (invalid - edge) or ("valid",)
        stats = type(self).stats
        self._steps_before = stats.steps if stats is not None else 0
        if stats is not None:
            stats.examples += 1

    def _check(self, divergence: Divergence | None) -> None:
        if divergence is None:
            return
        stats = type(self).stats
        if stats is not None and stats.first_detection is None:
            stats.first_detection = (stats.examples, self.lockstep.steps, self._steps_before + self.lockstep.steps)
        failure = self.lockstep.failure(divergence)
        factory = type(self).adapter_factory
        if type(self).shrink and factory is not None and current_build_context().is_final:
            failure = minimize(factory, failure, self.lockstep.kit)
        raise failure

    @initialize()
    def start(self) -> None:
        self._check(self.lockstep.start())

    @rule(data=st.data())
    def step(self, data: st.DataObject) -> None:
        kind = data.draw(st.sampled_from(_KINDS), label="kind")
        before = self.lockstep.steps
        if kind == "settle":
            self._check(self.lockstep.settle())
        elif kind == "advance":
            seconds = data.draw(st.sampled_from([60, 3600, 4 * 86400, 40 * 86400]), label="seconds")
            self._check(self.lockstep.advance(seconds))
        else:
            operation, caller, params = self._draw_request(data)
            self._check(self.lockstep.request(operation, params, caller))
        stats = type(self).stats
        if stats is not None:
            stats.steps += self.lockstep.steps - before

    def _draw_request(self, data: st.DataObject) -> tuple[str, str, JSON]:
        world = self.lockstep.model
        mode = data.draw(st.sampled_from(self.modes), label="mode")
        if mode == "edge":
            # Fixed-range draws (an index taken modulo the candidates) keep the choice sequence aligned when
            # the shrinker deletes earlier steps and the world the candidates come from changes.
            target = EDGE_TARGETS[data.draw(st.integers(0, len(EDGE_TARGETS) - 1), label="edge target")]
            pick = data.draw(st.integers(0, 2**16), label="edge candidate")
            candidates = [c for c in target.build(world, self.lockstep.kit.callers) if c[0] in self.operations]
            if candidates:
                return candidates[pick % len(candidates)]
        operation = data.draw(st.sampled_from(self.weighted), label="operation")
        caller = data.draw(st.sampled_from(self.callers), label="caller")
        if mode != "valid":
            invalid = invalid_requests(world, operation, caller=caller)
            if not invalid.is_empty:
                params, _ = data.draw(invalid, label="invalid request")
                return operation, caller, params
        return operation, caller, data.draw(valid_requests(world, operation, caller=caller), label="request")

    def teardown(self) -> None:
        stats = type(self).stats
        if stats is not None:
            stats.skipped += self.lockstep.skipped
            stats.rules_hit.update(self.lockstep.rules_hit)
        close = getattr(self.adapter, "close", None)
        if callable(close):
            close()


# ==== replay and minimization =========================================================================


def replay(adapter: SystemAdapter, steps: Sequence[Step], kit: KitSettings | None = None,
           ) -> tuple[Lockstep, Divergence | None]:
    """Run recorded steps in lockstep from the start; the driver and the first divergence (or None)."""
    lockstep = Lockstep(adapter, kit)
    found = lockstep.start()
    for step in steps:
        if found is not None:
            break
        found = lockstep.run(step)
    return lockstep, found


def trace_steps(text: str, name: str = "<trace>") -> list[Step]:
    """The steps of a ``vmrules run`` trace (JSON Lines) as the kit runs them; expectations are not needed (the
    reference computes its own). Raises ValueError naming the line for a malformed trace or one that uses
    saved names (``${name}``), which a lockstep replay cannot fill in."""
    from vmrules.cli.inputs import InputError
    from vmrules.cli.trace import parse_trace

    try:
        parsed = parse_trace(text, name)
    except InputError as exc:
        raise ValueError(str(exc)) from None
    steps = []
    for step in parsed:
        if step.save or "${" in json.dumps([step.params, step.caller], ensure_ascii=False):
            raise ValueError(f"{name}:{step.line}: saved names (save, ${{...}}) cannot be replayed in lockstep")
        if not step.pseudo and not isinstance(step.params, dict):
            raise ValueError(f"{name}:{step.line}: params must be a JSON object")
        steps.append(Step(step.op, step.params if isinstance(step.params, dict) else None,
                          step.caller, step.seconds))
    return steps


def _same(a: Divergence, b: Divergence) -> bool:
    return (a.kind, a.operation, a.rule) == (b.kind, b.operation, b.rule)


def minimize(adapter_factory: Callable[[], SystemAdapter], failure: ConformanceFailure,
             kit: KitSettings | None = None, *, budget: int = 400) -> ConformanceFailure:
    """The shortest run found that still diverges the same way (same kind, operation and rule): steps are
    deleted in chunks, then one at a time, and each candidate is replayed from a fresh reset (delta
    debugging over the concrete steps, which stays aligned however the world changes). Needs a system that
    can be reset; at most ``budget`` replays."""
    if not failure.reset:
        return failure
    best, target, replays = list(failure.steps), failure.divergence, 0
    result = failure
    chunk = max(1, len(best) // 2)
    while chunk >= 1 and replays < budget:
        i = 0
        while i < len(best) - 1 and replays < budget:
            candidate = best[:i] + best[i + chunk:]
            replays += 1
            lockstep, found = replay(adapter_factory(), candidate, kit)
            close = getattr(lockstep.adapter, "close", None)
            if callable(close):
                close()
            if found is not None and _same(found, target):
                best = list(lockstep.history)
                result = lockstep.failure(found)
            else:
                i += chunk
        chunk //= 2
    return result


# ==== entry points ====================================================================================


@dataclass(frozen=True)
class Report:
    """The outcome of a conformance run. ``ok`` when no divergence was found; otherwise ``divergence`` (after
    shrinking), ``explanation`` (one paragraph), ``trace`` (``vmrules run`` JSON Lines) and, when written,
    ``trace_path`` and ``world_path`` (the starting world to replay it from)."""

    ok: bool
    mode: Mode
    examples: int
    steps: int
    skipped: int
    divergence: Divergence | None = None
    explanation: str = ""
    trace: str = ""
    trace_path: Path | None = None
    world_path: Path | None = None
    first_detection: tuple[int, int, int] | None = None
    rules_hit: Mapping[str, int] = field(default_factory=dict)

    @property
    def rule(self) -> str | None:
        """The rule the reference applied at the divergent step (None when it accepted the request)."""
        return self.divergence.rule if self.divergence is not None else None

    def summary(self) -> str:
        head = (f"{self.examples} runs, {self.steps} steps compared ({self.mode} mode), "
                f"{len(self.rules_hit)} distinct rules refused by the reference")
        if self.ok:
            return f"conformant: {head}, no divergence"
        where = f"\ntrace: {self.trace_path} (start world: {self.world_path})" if self.trace_path else ""
        return f"DIVERGENCE after {head}\n{self.explanation}{where}"


def machine_for(adapter_factory: Callable[[], SystemAdapter], kit: KitSettings | None = None,
                stats: RunStats | None = None, shrink: bool = True) -> type[ConformanceMachine]:
    """A ``ConformanceMachine`` subclass bound to an adapter factory and settings."""
    return type("Conformance", (ConformanceMachine,), {
        "adapter_factory": staticmethod(adapter_factory), "kit": kit or KitSettings(), "stats": stats,
        "shrink": shrink,
    })


def _failure_in(error: BaseException) -> ConformanceFailure | None:
    if isinstance(error, ConformanceFailure):
        return error
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            found = _failure_in(inner)
            if found is not None:
                return found
    return None


def run_conformance(adapter_factory: Callable[[], SystemAdapter], *, steps: int = 40, examples: int = 30,
                    seed: int | None = 0, settings: KitSettings | None = None, shrink: bool = True,
                    hypothesis_settings: HypothesisSettings | None = None) -> Report:
    """Run the lockstep state machine against fresh adapters from ``adapter_factory``: up to ``examples`` runs
    of up to ``steps`` steps each. ``seed`` fixes hypothesis's randomness (None: random). Returns a
    ``Report``; a divergence is shrunk (unless ``shrink`` is False) and, with ``settings.trace_dir``, written
    there as a trace and its starting world."""
    kit = settings or KitSettings()
    stats = RunStats()
    machine = machine_for(adapter_factory, kit, stats, shrink)
    config = hypothesis_settings or HypothesisSettings(
        KIT_HYPOTHESIS_SETTINGS, max_examples=examples, stateful_step_count=steps, database=None,
        verbosity=Verbosity.quiet)
    test = _state_machine_test(machine, settings=config)
    if seed is not None:
        test = hypothesis_seed(seed)(test)
    failure: ConformanceFailure | None = None
    try:
        test()
    except Exception as error:  # a ConformanceFailure (possibly in a group) is the report; anything else is a bug
        failure = _failure_in(error)
        if failure is None:
            raise
    if failure is None:
        return Report(True, kit.mode, stats.examples, stats.steps, stats.skipped,
                      first_detection=None, rules_hit=dict(stats.rules_hit))
    trace_path = world_path = None
    if kit.trace_dir is not None:
        trace_path, world_path = write_trace(failure, Path(kit.trace_dir))
    return Report(False, kit.mode, stats.examples, stats.steps, stats.skipped, failure.divergence,
                  failure.explanation, failure.trace, trace_path, world_path, stats.first_detection,
                  dict(stats.rules_hit))


def write_trace(failure: ConformanceFailure, directory: Path) -> tuple[Path, Path]:
    """Write the trace and its starting world; names derive from the trace's content (no clock)."""
    directory.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(failure.trace.encode("utf-8")).hexdigest()[:10]
    world_path = directory / f"divergence-{digest}.world.json"
    trace_path = directory / f"divergence-{digest}.jsonl"
    world_path.write_text(json.dumps(failure.start.to_dict(), ensure_ascii=False, indent=1) + "\n",
                          encoding="utf-8")
    trace = failure.trace.replace("start-world.json", world_path.name)
    trace_path.write_text(f"# {failure.explanation}\n{trace}", encoding="utf-8")
    return trace_path, world_path


def conformance_test(adapter_factory: Callable[[], SystemAdapter], *, steps: int = 40, examples: int = 30,
                     seed: int | None = 0, settings: KitSettings | None = None) -> type[unittest.TestCase]:
    """A test case class running the kit against ``adapter_factory``: ``TestMine = conformance_test(...)``.
    It fails with the explanation and the trace of the minimal divergence."""

    def test_conformance(self: unittest.TestCase) -> None:
        report = run_conformance(adapter_factory, steps=steps, examples=examples, seed=seed, settings=settings)
        if not report.ok:
            self.fail(f"{report.explanation}\n\nTrace (replay with `vmrules run`):\n{report.trace}")

    return type("ConformanceTest", (unittest.TestCase,), {"test_conformance": test_conformance})


# ==== vmrules conform =================================================================================


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vmrules conform",
        description="Test a JD-Cloud-compatible VM endpoint against the reference semantics, in lockstep. "
        "Exit 0 conformant, 1 a divergence (explained, trace written), 2 bad usage.")
    parser.add_argument("--url", help="the endpoint, e.g. http://127.0.0.1:8000 (vmrules serve)")
    parser.add_argument("--self-test", action="store_true", help="run against the in-process reference instead")
    parser.add_argument("--credentials", metavar="FILE",
                        help='sign requests: JSON {"<accessKey>": {"secretKey": ..., "pin": ...}} (one per caller)')
    parser.add_argument("--mode", choices=MODES, default="full", help="how much is compared (default: full)")
    parser.add_argument("--steps", type=int, default=40, help="steps per run (default 40)")
    parser.add_argument("--examples", type=int, default=30, help="runs (default 30)")
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed (default 0)")
    parser.add_argument("--invalid-share", type=float, default=0.3, help="share of invalid requests (0..1)")
    parser.add_argument("--callers", default=f"{MAIN},{SECOND}", help="comma-separated accounts that act")
    parser.add_argument("--trace-dir", default="conformance-traces", help="where a divergence's trace goes")
    parser.add_argument("--no-admin", action="store_true",
                        help="the endpoint has no /admin (cannot reset): start from its state, settle by polling, "
                        "settle after every change")
    parser.add_argument("--no-shrink", action="store_true", help="report the first divergence as found")
    parser.add_argument("--replay", metavar="TRACE.jsonl",
                        help="replay a trace (e.g. a divergence's) in lockstep instead of generating steps")
    parser.add_argument("--world", metavar="WORLD.json",
                        help="the world a --replay starts from (default: the edge world)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``vmrules conform``: returns the exit status."""
    from vmrules.testing.adapters import HttpAdapter, InProcessAdapter, load_credentials

    parser = build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if (args.url is None) == (not args.self_test):
        sys.stderr.write("vmrules conform: error: give --url URL or --self-test\n")
        return 2
    if not 0 <= args.invalid_share <= 1 or args.steps < 1 or args.examples < 1:
        sys.stderr.write("vmrules conform: error: --invalid-share is 0..1, --steps and --examples at least 1\n")
        return 2
    callers = tuple(c for c in args.callers.split(",") if c)
    if not callers:
        sys.stderr.write("vmrules conform: error: --callers names no account\n")
        return 2
    factory: Callable[[], SystemAdapter]
    if args.self_test:
        factory = InProcessAdapter
    else:
        try:
            credentials = load_credentials(args.credentials) if args.credentials else None
        except ValueError as exc:
            sys.stderr.write(f"vmrules conform: error: {exc}\n")
            return 2
        if credentials is not None:
            missing = [c for c in callers if c not in credentials]
            if missing:
                sys.stderr.write(f"vmrules conform: error: no credentials for caller(s) {', '.join(missing)}\n")
                return 2
        url, admin = args.url, not args.no_admin

        def factory() -> SystemAdapter:
            return HttpAdapter(url, credentials, admin=admin)

        probe = factory().call("describeQuotas", {"regionId": NORTH}, callers[0])
        if not _is_envelope(probe) or probe.get("error", {}).get("status") in ("UNAVAILABLE", "UNAUTHENTICATED"):
            sys.stderr.write(f"vmrules conform: error: {url} does not answer as a JD Cloud VM API: "
                             f"{_short(probe, 200)}\n")
            return 2

    kit = KitSettings(mode=args.mode, invalid_share=args.invalid_share, callers=callers,
                      settle_every_step=args.no_admin, trace_dir=args.trace_dir)
    if args.replay is not None:
        return _replay_command(factory, kit, args.replay, args.world)
    # A system that cannot be reset keeps its state from one run to the next: one long run instead.
    examples, steps = (1, args.steps * args.examples) if args.no_admin else (args.examples, args.steps)
    report = run_conformance(factory, steps=steps, examples=examples, seed=args.seed, settings=kit,
                             shrink=not args.no_shrink)
    print(report.summary())
    return 0 if report.ok else 1


def _replay_command(factory: Callable[[], SystemAdapter], kit: KitSettings, trace: str, world: str | None) -> int:
    try:
        steps = trace_steps(Path(trace).read_text(encoding="utf-8"), trace)
        start = World.from_dict(json.loads(Path(world).read_text(encoding="utf-8"))) if world else None
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"vmrules conform: error: {exc}\n")
        return 2
    if start is not None:
        kit = dataclasses.replace(kit, world=start)
    lockstep, found = replay(factory(), steps, kit)
    if found is None:
        print(f"conformant: {lockstep.steps} steps of {trace} replayed ({kit.mode} mode), no divergence")
        return 0
    print(f"DIVERGENCE replaying {trace}\n{explain(found)}")
    return 1
