"""Setups for the createInstances CPU and memory quota rules: the caller's quota filled to within one instance.

createInstances is best effort (maxCount): one request for 100 instances of a type creates as many as the
quotas let fit. Filling with the type of the most CPUs leaves the CPU quota short of one more of it; filling
then with the type of the most memory per CPU leaves the memory quota short while CPUs remain. The setup stops
as soon as one more instance of some type breaks the rule first (the model decides), and hands those requests
to the pair search. Late (``Registry.late``): the quota stays full for every step after it.
"""

from __future__ import annotations

from hypothesis import strategies as st

from vmrules.engine import check
from vmrules.model import InstanceType
from vmrules.testing.conformance.divergence import Divergence
from vmrules.testing.conformance.edges import _create_spec
from vmrules.testing.conformance.lockstep import Lockstep
from vmrules.testing.conformance.settings import JSON
from vmrules.testing.conformance.setups.base import Registry

registry = Registry()


def _spec(lock: Lockstep, caller: str, instance_type: str, count: int = 1) -> JSON | None:
    spec = _create_spec(lock.model, caller)
    if spec is None:
        return None
    spec["instanceSpec"] |= {"instanceType": instance_type, "name": "quota-fill"}
    return spec if count == 1 else {**spec, "maxCount": count}


def _sellable(lock: Lockstep, caller: str) -> list[InstanceType]:
    spec = _create_spec(lock.model, caller)
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


@registry.setup_for("CREATE_INSTANCES.QUOTA_CPU", "CREATE_INSTANCES.QUOTA_MEMORY", late=True)
def quota_full(lock: Lockstep, data: st.DataObject, caller: str,
               rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """Fill the caller's CPU quota (then its memory quota) with best-effort creates until the rule breaks."""
    types = _sellable(lock, caller)
    if not types:
        return [], None
    most_cpus = max(types, key=lambda t: (t.cpu, t.instance_type))
    most_memory = max(types, key=lambda t: (t.memory_mb / t.cpu, t.memory_mb, t.instance_type))
    plan = [most_cpus] if rule_id == "CREATE_INSTANCES.QUOTA_CPU" else [most_cpus, most_memory]
    for fill in [None, *plan]:
        if fill is not None:
            params = _spec(lock, caller, fill.instance_type, count=100)
            divergence = lock.request("createInstances", params, caller) if params is not None else None
            if divergence is not None:
                return [], divergence
        found = _breaking(lock, caller, rule_id)
        if found:
            return found[:3], None
    return [], None
