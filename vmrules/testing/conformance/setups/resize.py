"""Setups for the resizeInstance rules about the instance's kind: its image, how it was created, its interfaces,
its billing, and the account's CPU and memory quotas.

Each rule needs a stopped, idle instance of some kind (made from a Windows/SQL Server image, from an image with a
type constraint, through an availability group, with a secondary interface, in arrears); the setup takes one the
world has, or builds it through the API (createInstances, stopInstance, attachNetworkInterface, settle), and hands
the pair search a resize of it to a type the rule is about. Instances built here stay in the world and serve the
next run of the same setup. The quota rules fill the account's vCPU and memory quota with large instances first.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import strategies as st

from vmrules.defaults import NORTH
from vmrules.model import Instance
from vmrules.testing.conformance.divergence import Divergence
from vmrules.testing.conformance.lockstep import Lockstep
from vmrules.testing.conformance.settings import JSON
from vmrules.testing.conformance.setups.base import Registry
from vmrules.testing.conformance.setups.billing import stopped_due
from vmrules.testing.conformance.setups.common import (
    created_instance,
    free_nics,
    idle_instances,
    instance_of_kind,
    interface_request,
    make_room,
    pick,
    plain_charge,
    plain_image,
    run_steps,
)

registry = Registry()

_SQL_SERVER_IMAGE = "img-win12sql14"  # Windows Server with SQL Server 2014: both image rules
_CONSTRAINED_IMAGE = "img-ubuntu18cd"  # excludes the generation-1 types g.n1.medium, g.n1.large, c.n1.large


def _cloud(inst: Instance) -> bool:
    return inst.system_disk.category == "cloud"


def _movable(inst: Instance) -> bool:
    """Can change generation and keeps to one interface: no generation or interface rule comes first."""
    return _cloud(inst) and inst.ag_id is None and not inst.secondary_nic_ids


# rule id -> (the instances it needs, the spec that creates one, the type the pair search starts from)
_KINDS: dict[str, tuple[Callable[[Instance], bool], JSON, str]] = {
    "RESIZE_INSTANCE.WINDOWS_CPU": (lambda i: i.image_id == _SQL_SERVER_IMAGE, {"imageId": _SQL_SERVER_IMAGE},
                                    "g.n2.24xlarge"),
    "RESIZE_INSTANCE.SQL_SERVER_MEMORY": (lambda i: i.image_id == _SQL_SERVER_IMAGE,
                                          {"imageId": _SQL_SERVER_IMAGE}, "g.n2.micro"),
    "RESIZE_INSTANCE.IMAGE_SUPPORTS_TYPE": (lambda i: i.image_id == _CONSTRAINED_IMAGE,
                                            {"imageId": _CONSTRAINED_IMAGE}, "g.n1.medium"),
    "RESIZE_INSTANCE.GENERATION_AVAILABILITY_GROUP": (lambda i: i.ag_id is not None, {}, "g.n1.medium"),
    "RESIZE_INSTANCE.TYPE_OFFLINE": (_movable, {}, "g.n1.medium"),
    "RESIZE_INSTANCE.TYPE_IN_STOCK": (_movable, {}, "g.n2.large"),
}


def _resize(instance_id: str, instance_type: str) -> JSON:
    return {"regionId": NORTH, "instanceId": instance_id, "instanceType": instance_type}


@registry.setup_for(*_KINDS)
def instance_of_kind_to_resize(lock: Lockstep, data: st.DataObject, caller: str,
                               rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """A stopped instance of the kind the rule is about (built when the world has none), resized."""
    where, spec, target = _KINDS[rule_id]
    if rule_id == "RESIZE_INSTANCE.GENERATION_AVAILABILITY_GROUP":
        groups = sorted(g.ag_id for g in lock.model.availability_groups.values()
                        if g.owner == caller and g.region == NORTH)
        if not groups:
            return [], None
        spec = {"agId": groups[0], "az": None, "instanceType": None, "imageId": None, "systemDisk": None,
                "primaryNetworkInterface": None}
    special = rule_id in ("RESIZE_INSTANCE.WINDOWS_CPU", "RESIZE_INSTANCE.SQL_SERVER_MEMORY",
                          "RESIZE_INSTANCE.IMAGE_SUPPORTS_TYPE")
    found, divergence = instance_of_kind(lock, data, caller, lambda i: where(i) and _cloud(i)
                                         and (special or plain_image(lock, i)), spec)
    return ([_resize(found, target)] if found is not None else []), divergence


@registry.setup_for("RESIZE_INSTANCE.GENERATION_LOCAL_SYSTEM_DISK")
def local_instance_other_generation(lock: Lockstep, data: st.DataObject, caller: str,
                                    rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """A stopped local-system-disk instance (built when the world has none), resized to a type of the other
    generation."""
    found, divergence = instance_of_kind(
        lock, data, caller, lambda i: i.system_disk.category == "local" and i.ag_id is None
        and not i.secondary_nic_ids and plain_image(lock, i),
        {"imageId": _LOCAL_IMAGE, "systemDisk": {"diskCategory": "local"}})
    if found is None or divergence is not None:
        return [], divergence
    world = lock.model
    inst = world.instances[found]
    current = world.instance_types.get(inst.instance_type)
    others = sorted(t.instance_type for t in world.instance_types.values()
                    if current is not None and t.generation != current.generation and not t.offline
                    and t.stock_in(inst.az) and not t.local_disks)
    return [_resize(found, t) for t in others[:2]], None


_LOCAL_IMAGE = "img-centos7lcl"  # a public local-disk image


@registry.setup_for("RESIZE_INSTANCE.CHARGE_NORMAL", late=True)
def instance_in_arrears(lock: Lockstep, data: st.DataObject, caller: str,
                        rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """A stopped instance in arrears and one expired (``billing.stopped_due``), each resized."""
    due, divergence = stopped_due(lock, data, caller)
    return [_resize(instance_id, "g.n2.large") for instance_id in due], divergence


@registry.setup_for("RESIZE_INSTANCE.NIC_LIMIT")
def instance_with_secondary_interface(lock: Lockstep, data: st.DataObject, caller: str,
                                      rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """A stopped instance with a secondary interface (one is attached when none has), resized to a one-interface
    type."""
    stopped = idle_instances(lock, caller, lambda i: i.status == "stopped" and plain_charge(i) and _cloud(i)
                             and i.ag_id is None and plain_image(lock, i))
    with_nic = [i for i in stopped if i.secondary_nic_ids]
    if with_nic:
        return [_resize(pick(data, with_nic, "instance with interfaces").instance_id, "g.n2.micro")], None
    found, divergence = instance_of_kind(lock, data, caller, lambda i: _movable(i) and plain_image(lock, i)
                                         and _nic_limit(lock, i) >= 2, {})
    if found is None or divergence is not None:
        return [], divergence
    inst = lock.model.instances[found]
    steps: list[tuple[str, JSON]] = []
    nics = free_nics(lock, caller, inst)
    if not nics:  # every free interface is attached somewhere: one is detached first
        holders = idle_instances(lock, caller, lambda i: i.status in ("running", "stopped") and i.subnet_id
                                 == inst.subnet_id and bool(i.secondary_nic_ids) and i.instance_id != found)
        if not holders:
            return [], None
        nics = [holders[0].secondary_nic_ids[0]]
        steps += [("detachNetworkInterface", interface_request(holders[0].instance_id, nics[0])), ("settle", {})]
    steps += [("attachNetworkInterface", interface_request(found, nics[0])), ("settle", {})]
    return [_resize(found, "g.n2.micro")], run_steps(lock, steps, caller)


def _nic_limit(lock: Lockstep, inst: Instance) -> int:
    t = lock.model.instance_types.get(inst.instance_type)
    return t.nic_limit if t is not None else 0


def _quota_room(lock: Lockstep, caller: str) -> tuple[int, int, int]:
    """(instances, vCPUs, GB of memory) the caller's quotas leave in the region."""
    world = lock.model
    account = world.accounts[caller]
    return tuple(account.quota(kind) - world.used(caller, NORTH, kind)  # type: ignore[return-value]
                 for kind in ("instance", "instance_cpu", "instance_memory"))


@registry.setup_for("RESIZE_INSTANCE.CPU_QUOTA", "RESIZE_INSTANCE.MEMORY_QUOTA")
def account_at_quota(lock: Lockstep, data: st.DataObject, caller: str,
                     rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """A stopped 4-vCPU instance (built first when the world has none), then the caller's vCPU and memory quota
    filled, largest types first, until no type fits: resizing it to a type of more vCPUs breaks the vCPU quota,
    to one of the same vCPUs and more memory (m.n2.large) the memory quota."""
    world = lock.model
    if caller not in world.accounts:
        return [], None
    found, divergence = instance_of_kind(lock, data, caller, lambda i: _movable(i) and _cpus(lock, i) == 4
                                         and i.instance_type != _MEMORY_TYPE and plain_image(lock, i),
                                         {"instanceType": "c.n2.large"})
    if found is None or divergence is not None:
        return [], divergence
    divergence = make_room(lock, caller, _FILL_INSTANCES, "g.n2.micro")  # the fill needs instances, not vCPUs
    if divergence is not None:
        return [], divergence
    types = sorted((t for t in world.instance_types.values() if not t.offline and t.stock_in("cn-north-1a")
                    and not t.local_disks), key=lambda t: (-t.cpu, -t.memory_mb))
    for t in types:
        count, cpus, memory = _quota_room(lock, caller)
        fill = min(count, cpus // t.cpu, memory // (t.memory_mb // 1024), _MAX_COUNT)
        if fill > 0:
            _, divergence = created_instance(lock, caller, {"instanceType": t.instance_type, "name": QUOTA_FILLER},
                                             stopped=False, count=fill)
            if divergence is not None:
                return [], divergence
    target = _MEMORY_TYPE if rule_id == "RESIZE_INSTANCE.MEMORY_QUOTA" else types[0].instance_type
    return [_resize(found, target)], None


@registry.teardown_for("RESIZE_INSTANCE.CPU_QUOTA", "RESIZE_INSTANCE.MEMORY_QUOTA")
def quota_freed(lock: Lockstep, caller: str) -> Divergence | None:
    """The instances that filled the quota deleted again (the rules after this one need room to create)."""
    fillers = idle_instances(lock, caller, lambda i: i.name == QUOTA_FILLER)
    return run_steps(lock, [*(("deleteInstance", {"regionId": NORTH, "instanceId": i.instance_id}) for i in fillers),
                            ("settle", {})], caller)


QUOTA_FILLER = "setup-quota-fill"  # the name of the instances that fill the quota
_MEMORY_TYPE = "m.n2.large"  # 4 vCPUs, 32 GB: more memory than every other 4-vCPU type
_FILL_INSTANCES = 20  # room for this many instances is made before the fill (it needs fewer)
_MAX_COUNT = 20  # instances per createInstances the fill sends


def _cpus(lock: Lockstep, inst: Instance) -> int:
    t = lock.model.instance_types.get(inst.instance_type)
    return t.cpu if t is not None else 0
