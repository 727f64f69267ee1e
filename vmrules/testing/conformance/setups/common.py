"""What several setups modules share: picking from the model's world, and building an idle instance of a kind.

Everything is read from the model's current world (``lock.model``) and every change goes through the lockstep
(``lock.request`` / ``settle``), so a state built here is built on the system too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import strategies as st

from vmrules.defaults import NORTH
from vmrules.model import Instance
from vmrules.testing.conformance.divergence import Divergence
from vmrules.testing.conformance.edges import create_spec
from vmrules.testing.conformance.lockstep import Lockstep
from vmrules.testing.conformance.settings import JSON

Built = tuple[str | None, Divergence | None]  # (the id of what was found or built, the first divergence)


def pick(data: st.DataObject, items: list[Any], label: str) -> Any:
    """An item by a fixed-range index (keeps hypothesis's choice sequence aligned as the world changes)."""
    if not items:
        return None
    return items[data.draw(st.integers(0, 2**16), label=label) % len(items)]


def plain_charge(inst: Instance) -> bool:
    """Billed by configuration and not in arrears: no charge rule stands in the way of the rule aimed at."""
    return inst.charge is None or (inst.charge.mode != "prepaid_by_duration" and inst.charge.status == "normal")


def plain_image(lock: Lockstep, inst: Instance) -> bool:
    """The instance runs a Linux image without a type constraint: no image rule stands in the way of a resize
    (the sweep rebuilds instances onto Windows and constrained images)."""
    image = lock.model.images.get(inst.image_id)
    return image is not None and image.constraint is None and "windows" not in image.platform.lower()


def idle_instances(lock: Lockstep, caller: str, where: Callable[[Instance], bool]) -> list[Instance]:
    """The caller's instances in the kit's region with no task in progress that ``where`` accepts, by id."""
    world = lock.model
    return sorted((i for i in world.instances.values()
                   if i.owner == caller and i.region == NORTH and not world.busy(i.instance_id) and where(i)),
                  key=lambda i: i.instance_id)


def free_disks(lock: Lockstep, caller: str, az: str, *, multi: bool | None = False,
               postpaid_only: bool = True) -> list[str]:
    """The caller's available, idle disks in ``az`` (multi-attach ones only, none, or either), by id."""
    world = lock.model
    return sorted(d.disk_id for d in world.disks.values()
                  if d.owner == caller and d.az == az and d.status == "available" and not d.attachments
                  and not world.busy(d.disk_id) and (multi is None or d.multi_attachable == multi)
                  and (not postpaid_only or d.charge.mode == "postpaid_by_duration"))


def some_free_disks(lock: Lockstep, caller: str, az: str, need: int, keep: str) -> tuple[list[str], Divergence | None]:
    """At least ``need`` free disks of the caller in ``az`` when the world can give them: when too few are free,
    data disks are detached (and settled) from idle instances other than ``keep`` (the pairs and setups before
    have usually attached every free disk)."""
    have = free_disks(lock, caller, az)
    world = lock.model
    steps: list[tuple[str, JSON]] = []
    for inst in idle_instances(lock, caller, lambda i: i.instance_id != keep and i.az == az
                               and i.status in ("running", "stopped")):
        for attached in inst.data_disks:
            disk = world.disks.get(attached.disk_id)
            if len(have) + len(steps) >= need:
                break
            if disk is not None and not disk.multi_attachable and disk.charge.mode == "postpaid_by_duration" \
                    and attached.status == "attached" and not world.busy(disk.disk_id):
                steps.append(("detachDisk", {"regionId": NORTH, "instanceId": inst.instance_id,
                                             "diskId": disk.disk_id}))
    if not steps:
        return have, None
    found = run_steps(lock, [*steps, ("settle", {})], caller)
    return free_disks(lock, caller, az), found


def interface_request(instance_id: str, nic_id: str) -> JSON:
    """The params of attachNetworkInterface / detachNetworkInterface for one secondary interface."""
    return {"regionId": NORTH, "instanceId": instance_id, "networkInterfaceId": nic_id}


def run_steps(lock: Lockstep, steps: Sequence[tuple[str, JSON | None]], caller: str) -> Divergence | None:
    """Send ``steps`` in order (``("settle", ...)`` settles; a request whose params are None, one its builder
    found nothing for, is left out); the first divergence."""
    for operation, params in steps:
        if operation == "settle":
            found = lock.settle()
        elif params is not None:
            found = lock.request(operation, params, caller)
        else:
            continue
        if found is not None:
            return found
    return None


SETUP_INSTANCE = "setup-vm"  # the name of the instances setups create (kept when making room)


def make_room(lock: Lockstep, caller: str, count: int, instance_type: str) -> Divergence | None:
    """Delete instances the run created (not the starting world's, not the setups' own) until the caller's
    instance, vCPU and memory quotas have room for ``count`` more of ``instance_type``: the pairs before have
    usually filled the instance quota (each allowed createInstances stays)."""
    world = lock.model
    kind = world.instance_types.get(instance_type)
    account = world.accounts.get(caller)
    if kind is None or account is None:
        return None
    need = {"instance": count, "instance_cpu": count * kind.cpu, "instance_memory": count * kind.memory_mb // 1024}
    # What is missing of each quota (freed by the deletes below as they are sent: usage may drop only at settle).
    missing = {k: world.used(caller, NORTH, k) + n - account.quota(k) for k, n in need.items()}
    spare = idle_instances(lock, caller, lambda i: i.instance_id not in lock.start_world.instances
                           and not i.name.startswith("setup-") and plain_charge(i)
                           and i.status in ("running", "stopped"))
    steps: list[tuple[str, JSON]] = []
    while any(n > 0 for n in missing.values()) and spare:
        victim = spare.pop()
        steps.append(("deleteInstance", {"regionId": NORTH, "instanceId": victim.instance_id}))
        held = world.instance_types.get(victim.instance_type)
        missing["instance"] -= 1
        missing["instance_cpu"] -= held.cpu if held is not None else 0
        missing["instance_memory"] -= held.memory_mb // 1024 if held is not None else 0
    if steps:
        steps.append(("settle", {}))
    return run_steps(lock, steps, caller)


def created_instance(lock: Lockstep, caller: str, spec: JSON, *, stopped: bool, count: int = 1) -> Built:
    """createInstances of ``count`` with ``spec`` merged into a plain cloud-system-disk instance spec (a key
    given None is dropped), settled (and the first one stopped, settled again, when ``stopped``); the first new
    instance's id (None when the reference refused the request)."""
    base = create_spec(lock.model, caller)
    if base is None:
        return None, None
    params: JSON = {**base, "instanceSpec": {**base["instanceSpec"], "name": SETUP_INSTANCE, **spec}}
    if count > 1:
        params["maxCount"] = count
    image = lock.model.images.get(str(params["instanceSpec"].get("imageId")))
    disk = params["instanceSpec"].get("systemDisk")
    if image is not None and isinstance(disk, dict) and "cloudDiskSpec" in disk:  # the image's size at least
        size = max(disk["cloudDiskSpec"]["diskSizeGB"], image.system_disk_size_gb)
        params["instanceSpec"]["systemDisk"] = {**disk, "cloudDiskSpec": {**disk["cloudDiskSpec"], "diskSizeGB": size}}
    params["instanceSpec"] = {k: v for k, v in params["instanceSpec"].items() if v is not None}
    found = make_room(lock, caller, count, str(params["instanceSpec"].get("instanceType") or "g.n2.medium"))
    if found is not None:
        return None, found
    before = set(lock.model.instances)
    found = run_steps(lock, [("createInstances", params), ("settle", {})], caller)
    made = sorted(set(lock.model.instances) - before)
    if found is not None or not made:
        return None, found
    if stopped:
        found = run_steps(lock, [("stopInstance", {"regionId": NORTH, "instanceId": made[0]}), ("settle", {})],
                          caller)
    return made[0], found


def instance_of_kind(lock: Lockstep, data: st.DataObject, caller: str, where: Callable[[Instance], bool],
                     spec: JSON, *, status: str = "stopped") -> Built:
    """An idle instance of the caller, billed by configuration, in ``status``, that ``where`` accepts: one the
    world has, else one created from ``spec`` (merged into a plain instance spec, see ``created_instance``)."""
    have = idle_instances(lock, caller, lambda i: i.status == status and plain_charge(i) and where(i))
    if have:
        return pick(data, have, "instance of kind").instance_id, None
    return created_instance(lock, caller, spec, stopped=status == "stopped")


def free_nics(lock: Lockstep, caller: str, inst: Instance) -> list[str]:
    """The caller's secondary interfaces attached to no instance, in ``inst``'s subnet, without an elastic IP of
    another zone (it would stand in the way), those without an elastic IP first."""
    world = lock.model
    def eip_elsewhere(nic_eip: str | None) -> bool:
        eip = world.elastic_ips.get(nic_eip) if nic_eip else None
        return eip is not None and eip.az not in ("", inst.az)

    return [n.nic_id for n in sorted(world.network_interfaces.values(), key=lambda n: (bool(n.elastic_ip_id), n.nic_id))
            if n.owner == caller and n.role == "Secondary" and n.subnet_id == inst.subnet_id
            and not n.instance_id and not world.busy(n.nic_id) and not eip_elsewhere(n.elastic_ip_id)]
