"""Setups for the attach/detach rules of disks and network interfaces that need a task in progress, a device
name in use, a disk billed otherwise than by configuration, or a multi-attach disk at its instance limit.

The task is an attachDisk left in progress (it holds the instance and the disk until settle); the other states are
read from the world (the starting world has data disks with device names, a prepaid disk and a multi-attach disk)
or, for the multi-attach limit, built: instances created in the disk's zone and the disk attached to each.
"""

from __future__ import annotations

from hypothesis import strategies as st

from vmrules.defaults import NORTH
from vmrules.model import Instance
from vmrules.testing.conformance.divergence import Divergence
from vmrules.testing.conformance.lockstep import Lockstep
from vmrules.testing.conformance.settings import JSON
from vmrules.testing.conformance.setups.base import Registry
from vmrules.testing.conformance.setups.common import (
    created_instance,
    free_nics,
    idle_instances,
    interface_request,
    pick,
    plain_charge,
    run_steps,
    some_free_disks,
)

registry = Registry()

MULTI_ATTACH_MAX = 16  # the seed's limit for one multi-attach disk (the rule's own bound is checked by the reference)


def _room(inst: Instance) -> bool:
    """The instance can take one more data disk."""
    return len(inst.data_disks) < (8 if inst.system_disk.category == "local" else 7)


def _hosts(lock: Lockstep, caller: str) -> list[Instance]:
    return idle_instances(lock, caller, lambda i: i.status in ("running", "stopped") and plain_charge(i)
                          and _room(i))


def _disk(instance_id: str, disk_id: str, **extra: object) -> JSON:
    return {"regionId": NORTH, "instanceId": instance_id, "diskId": disk_id, **extra}


@registry.setup_for("ATTACH_DISK.NO_TASK", "ATTACH_DISK.DISK_NO_TASK", "DETACH_DISK.NO_TASK",
                    "ATTACH_NETWORK_INTERFACE.NO_TASK", "DETACH_NETWORK_INTERFACE.NO_TASK")
def attach_in_progress(lock: Lockstep, data: st.DataObject, caller: str,
                       rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """A free disk attached to an instance (left in progress), then the rule's request on that instance (or, for
    the disk's own task, that disk to another instance). The interface rules get an instance with a secondary
    interface (attached first, and settled, when it has none) and a free interface when there is one."""
    hosts = _hosts(lock, caller)
    if rule_id.startswith("DETACH_DISK"):
        hosts = [h for h in hosts if h.data_disks]
    if rule_id == "DETACH_NETWORK_INTERFACE.NO_TASK":  # one that has a secondary interface, when there is one
        hosts = [h for h in hosts if h.secondary_nic_ids] or hosts
    host = pick(data, hosts, "busy host")
    if host is None:
        return [], None
    disks, found = some_free_disks(lock, caller, host.az, 2, host.instance_id)
    if found is not None or len(disks) < 2:
        return [], found
    if rule_id == "DETACH_NETWORK_INTERFACE.NO_TASK" and not host.secondary_nic_ids:
        nics = free_nics(lock, caller, host)
        if not nics:
            return [], None
        attach = interface_request(host.instance_id, nics[0])
        found = run_steps(lock, [("attachNetworkInterface", attach), ("settle", {})], caller)
        if found is not None:
            return [], found
    if rule_id == "ATTACH_NETWORK_INTERFACE.NO_TASK" and not free_nics(lock, caller, host):
        holders = idle_instances(lock, caller, lambda i: i.status in ("running", "stopped") and i.subnet_id
                                 == host.subnet_id and bool(i.secondary_nic_ids) and i.instance_id != host.instance_id)
        if holders:  # every free interface is attached somewhere: one is detached first
            found = run_steps(lock, [("detachNetworkInterface", interface_request(holders[0].instance_id,
                                                                     holders[0].secondary_nic_ids[0])),
                                     ("settle", {})], caller)
            if found is not None:
                return [], found
    first, second = disks[:2]
    found = lock.request("attachDisk", _disk(host.instance_id, first), caller)
    inst = lock.model.instances[host.instance_id]
    if rule_id == "ATTACH_DISK.NO_TASK":
        return [_disk(inst.instance_id, second)], found
    if rule_id == "ATTACH_DISK.DISK_NO_TASK":
        others = [h for h in _hosts(lock, caller) if h.az == inst.az]
        return [_disk(h.instance_id, first) for h in others[:2]], found
    if rule_id == "DETACH_DISK.NO_TASK":
        return [_disk(inst.instance_id, d.disk_id) for d in inst.data_disks if d.disk_id != first][:2], found
    if rule_id == "DETACH_NETWORK_INTERFACE.NO_TASK":
        return [interface_request(inst.instance_id, n) for n in inst.secondary_nic_ids[:1]], found
    return [interface_request(inst.instance_id, n) for n in free_nics(lock, caller, inst)[:1]], found


@registry.setup_for("ATTACH_DISK.DEVICE_NAME_FREE")
def device_name_in_use(lock: Lockstep, data: st.DataObject, caller: str,
                       rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """A free disk attached to an instance under the device name one of its data disks already has."""
    host = pick(data, [h for h in _hosts(lock, caller) if h.data_disks], "host")
    if host is None:
        return [], None
    disks, found = some_free_disks(lock, caller, host.az, 1, host.instance_id)
    host = lock.model.instances[host.instance_id]
    return [_disk(host.instance_id, d, deviceName=host.data_disks[-1].device_name) for d in disks[:1]], found


@registry.setup_for("ATTACH_DISK.AUTO_DELETE_TAKES_EFFECT")
def auto_delete_refused(lock: Lockstep, data: st.DataObject, caller: str,
                        rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """A multi-attach or prepaid disk attached with autoDelete true."""
    bases: list[JSON] = []
    world = lock.model
    # The rule comes before the status and task rules: a busy host or disk does not hide it.
    for host in idle_instances(lock, caller, lambda i: i.status in ("running", "stopped") and _room(i)):
        if len(bases) >= 2:
            break
        odd = sorted(d.disk_id for d in world.disks.values()
                     if d.owner == caller and d.az == host.az
                     and ((d.multi_attachable and host.instance_id not in {a.instance_id for a in d.attachments})
                          or (d.charge.mode != "postpaid_by_duration" and not d.attachments)))
        bases += [_disk(host.instance_id, d, autoDelete=True) for d in odd[:2]]
    return bases, None


@registry.setup_for("ATTACH_DISK.MULTI_ATTACH_LIMIT")
def multi_attach_full(lock: Lockstep, data: st.DataObject, caller: str,
                      rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """A multi-attach disk attached to 16 instances (created in its zone as needed, attached one at a time, since
    each attach holds the disk until settle), then to one more."""
    world = lock.model
    disks = sorted((d for d in world.disks.values() if d.owner == caller and d.multi_attachable
                    and d.region == NORTH and not world.busy(d.disk_id)),
                   key=lambda d: (-len(d.attachments), d.disk_id))
    if not disks:
        return [], None
    disk = disks[0]
    attached = {a.instance_id for a in disk.attachments}
    hosts = [h for h in _hosts(lock, caller) if h.az == disk.az and h.instance_id not in attached]
    missing = MULTI_ATTACH_MAX + 1 - len(attached) - len(hosts)
    if missing > 0:
        _, found = created_instance(lock, caller, {"az": disk.az}, stopped=False, count=missing)
        if found is not None:
            return [], found
        hosts = [h for h in _hosts(lock, caller) if h.az == disk.az and h.instance_id not in attached]
    steps: list[tuple[str, JSON]] = []
    for host in hosts[:max(0, MULTI_ATTACH_MAX - len(attached))]:
        steps += [("attachDisk", _disk(host.instance_id, disk.disk_id)), ("settle", {})]
    found = run_steps(lock, steps, caller)
    spare = [h for h in _hosts(lock, caller) if h.az == disk.az
             and h.instance_id not in {a.instance_id for a in lock.model.disks[disk.disk_id].attachments}]
    return [_disk(h.instance_id, disk.disk_id) for h in spare[:1]], found


@registry.setup_for("DETACH_DISK.DISK_NO_TASK")
def multi_attach_in_progress(lock: Lockstep, data: st.DataObject, caller: str,
                             rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """A multi-attach disk attached to one idle instance (attached first, and settled, when it is on none) while
    it is being attached to another: detached from the first, the disk's task is the only one in the way."""
    world = lock.model
    disks = sorted((d for d in world.disks.values() if d.owner == caller and d.multi_attachable
                    and d.region == NORTH and not world.busy(d.disk_id)
                    and len(d.attachments) < MULTI_ATTACH_MAX),
                   key=lambda d: (not d.attachments, d.disk_id))
    for disk in disks:
        hosts = [h for h in _hosts(lock, caller) if h.az == disk.az]
        on = [h for h in hosts if h.instance_id in {a.instance_id for a in disk.attachments}]
        off = [h for h in hosts if h not in on]
        if not on and len(off) >= 2:
            found = run_steps(lock, [("attachDisk", _disk(off[0].instance_id, disk.disk_id)), ("settle", {})],
                              caller)
            if found is not None:
                return [], found
            on, off = [lock.model.instances[off[0].instance_id]], off[1:]
        if on and off:
            found = lock.request("attachDisk", _disk(off[0].instance_id, disk.disk_id), caller)
            return [_disk(on[0].instance_id, disk.disk_id)], found
    return [], None
