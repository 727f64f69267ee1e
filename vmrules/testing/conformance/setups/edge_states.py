"""Setups for the rules only carol's instances in the edge world reach (``edges.AIMED_AS``): no request makes an
instance launched in 2016, an encrypted disk, an unbilled instance, so the setup finds carol's instance of the
kind and hands the pair search the rule's request aimed at it. It builds nothing: the pairs are sent as carol,
whom the rest of a run never acts as.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import strategies as st

from vmrules.clock import year_of
from vmrules.defaults import NORTH
from vmrules.model import Instance, InstanceType
from vmrules.operations.reconfigure import STORAGE_FAMILIES
from vmrules.testing.conformance.divergence import Divergence
from vmrules.testing.conformance.lockstep import Lockstep
from vmrules.testing.conformance.settings import JSON
from vmrules.testing.conformance.setups.base import Registry
from vmrules.testing.conformance.setups.common import idle_instances

registry = Registry()

def _encrypted(lock: Lockstep, inst: Instance) -> bool:
    disks = lock.model.disks
    return any(d.disk_id in disks and disks[d.disk_id].encrypted for d in inst.data_disks)


def _other_generation(current: InstanceType, target: InstanceType) -> bool:
    return target.generation != current.generation


def _generation_1(current: InstanceType, target: InstanceType) -> bool:
    return target.generation == 1 and target.instance_type != current.instance_type


def _storage(current: InstanceType, target: InstanceType) -> bool:
    return target.family in STORAGE_FAMILIES


# rule id -> (the instance it needs, the target types a resize of it is aimed at)
_RESIZES: dict[str, tuple[Callable[[Lockstep, Instance], bool], Callable[[InstanceType, InstanceType], bool]]] = {
    "RESIZE_INSTANCE.GENERATION_CREATED_2016": (
        lambda lock, i: i.system_disk.category == "cloud" and year_of(i.launch_time) == 2016, _other_generation),
    "RESIZE_INSTANCE.ENCRYPTED_DISK_GENERATION_1": (_encrypted, _generation_1),
    "RESIZE_INSTANCE.LOCAL_NO_STORAGE_FAMILY": (lambda lock, i: i.system_disk.category == "local", _storage),
}


@registry.setup_for(*_RESIZES)
def resize_of_a_rare_instance(lock: Lockstep, data: st.DataObject, caller: str,
                              rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """The caller's stopped instance of the kind, resized to the first two sold types the rule is about."""
    needs, aims_at = _RESIZES[rule_id]
    world = lock.model
    for inst in idle_instances(lock, caller, lambda i: i.status == "stopped" and needs(lock, i)):
        current = world.instance_types.get(inst.instance_type)
        if current is None:
            continue
        targets = sorted(t.instance_type for t in world.instance_types.values()
                         if aims_at(current, t) and not t.offline and t.stock_in(inst.az))
        if targets:
            return [{"regionId": NORTH, "instanceId": inst.instance_id, "instanceType": t} for t in targets[:2]], None
    return [], None


@registry.setup_for("DELETE_INSTANCE.BILLING_INFO", late=True)
def unbilled_instance(lock: Lockstep, data: st.DataObject, caller: str,
                      rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """The caller's stopped instance without billing information, deleted. Late: the pair's allowed neighbour
    deletes another of the caller's instances, which the resize rules above need."""
    unbilled = idle_instances(lock, caller, lambda i: i.status == "stopped" and i.charge is None)
    return [{"regionId": NORTH, "instanceId": i.instance_id} for i in unbilled[:1]], None
