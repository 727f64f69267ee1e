"""Setups for the createInstances CPU and memory quota rules: the caller's quota filled to within one instance.

createInstances is best effort (maxCount): a request for more instances than fit creates as many as the quotas
let fit. For the memory quota the setup creates some instances of the type with the most CPUs, then fills with
the type of the most memory per CPU, choosing the first count so that memory runs out while CPUs remain; for
the CPU quota it fills with the type of the most CPUs. It stops as soon as one more instance of some type breaks
the rule first (the model decides) and hands those requests to the pair search. Late (``Registry.late``): the
quota stays full for every step after it; the memory rule comes first, since a full CPU quota hides it.
"""

from __future__ import annotations

from hypothesis import strategies as st

from vmrules.defaults import NORTH
from vmrules.engine import check
from vmrules.model import InstanceType
from vmrules.testing.conformance.divergence import Divergence
from vmrules.testing.conformance.edges import create_spec
from vmrules.testing.conformance.lockstep import Lockstep
from vmrules.testing.conformance.settings import JSON
from vmrules.testing.conformance.setups.base import Registry
from vmrules.usage import instance_usage

registry = Registry()
_RESOURCES = ("instance", "instance_cpu", "instance_memory")


def _spec(lock: Lockstep, caller: str, instance_type: str, count: int = 1) -> JSON | None:
    spec = create_spec(lock.model, caller)
    if spec is None:
        return None
    spec["instanceSpec"] |= {"instanceType": instance_type, "name": "quota-fill"}
    return spec if count == 1 else {**spec, "maxCount": count}


def _sellable(lock: Lockstep, caller: str) -> list[InstanceType]:
    spec = create_spec(lock.model, caller)
    az = spec["instanceSpec"]["az"] if spec is not None else ""
    return sorted((t for t in lock.model.instance_types.values() if not t.offline and t.stock_in(az)
                   and not t.local_disks), key=lambda t: t.instance_type)


def _breaking(lock: Lockstep, caller: str, rule_id: str) -> list[JSON]:
    """Requests for one more instance (one per sellable type) that break ``rule_id`` first."""
    found = []
    for itype in _sellable(lock, caller):
        params = _spec(lock, caller, itype.instance_type)
        rules = [e.rule for e in check(lock.model, "createInstances", params, caller=caller)] if params else []
        if params is not None and rules and rules[0] == rule_id:
            found.append(params)
    return found


def _room(lock: Lockstep, caller: str) -> list[int]:
    """What the caller's instance, CPU and memory quotas leave in the region."""
    account = lock.model.accounts.get(caller)
    if account is None:
        return [0, 0, 0]
    return [account.quota(r) - lock.model.used(caller, NORTH, r) for r in _RESOURCES]


def _fits(room: list[int], itype: InstanceType) -> int:
    return min(left // need for left, (_, need) in zip(room, instance_usage(itype), strict=True) if need > 0)


def _memory_plan(room: list[int], big: InstanceType, dense: InstanceType) -> list[tuple[InstanceType, int]]:
    """(type, count) creates after which one more ``dense`` instance runs out of memory but not of CPUs: as
    many ``big`` ones first as leave that possible (fewer instances in all)."""
    usage_big, usage_dense = [n for _, n in instance_usage(big)], [n for _, n in instance_usage(dense)]
    for first in range(_fits(room, big), -1, -1):
        left = [r - first * u for r, u in zip(room, usage_big, strict=True)]
        then = _fits(left, dense)
        after = [r - then * u for r, u in zip(left, usage_dense, strict=True)]
        if after[0] >= 1 and after[1] >= usage_dense[1] and after[2] < usage_dense[2]:
            return [(big, first), (dense, then)]
    return []


@registry.setup_for("CREATE_INSTANCES.QUOTA_MEMORY", "CREATE_INSTANCES.QUOTA_CPU", late=True)
def quota_full(lock: Lockstep, data: st.DataObject, caller: str,
               rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """Fill the caller's memory (or CPU) quota with best-effort creates until the rule breaks."""
    found = _breaking(lock, caller, rule_id)
    types = _sellable(lock, caller)
    if found or not types:
        return found[:3], None
    big = max(types, key=lambda t: (t.cpu, t.instance_type))
    dense = max(types, key=lambda t: (t.memory_mb / t.cpu, t.memory_mb, t.instance_type))
    plan = ([(big, 100)] if rule_id == "CREATE_INSTANCES.QUOTA_CPU" else
            _memory_plan(_room(lock, caller), big, dense))
    for itype, count in plan:
        params = _spec(lock, caller, itype.instance_type, count) if count > 0 else None
        divergence = lock.request("createInstances", params, caller) if params is not None else None
        if divergence is not None:
            return [], divergence
    return _breaking(lock, caller, rule_id)[:3], None
