"""Scenarios: short sequences of lockstep steps that build the states single random steps rarely reach.

Each scenario takes the lockstep driver and a hypothesis ``data`` object, sends its steps through
``Lockstep.request`` / ``settle`` / ``advance`` (so every step is compared and recorded as usual) and returns
the first divergence or None. What the steps are is read from the model's current world; when the world
offers nothing suitable the scenario sends what it can (the reference stays the oracle).

* ``token-retry`` — createInstances with a clientToken, then the same request again (an idempotent replay),
  then the same token with different parameters.
* ``walk-pages`` — every page of a listing with a small page size, one page past the end.
* ``fill-disks`` — attachDisk free disks one by one to an instance until the data-disk limit refuses one.
* ``multi-attach`` — a multi-attachable disk attached to two instances, then detached from one.
* ``prepaid-expiry`` — a prepaid instance created, the clock advanced past its expiry, then deleted.
* ``whole-machine-image`` — an image of a stopped instance with data disks, then shared (refused).
* ``compound-state`` — a power operation started and, before it completes, another request on the same
  instance (the "task in progress" rules), then settle.
* ``availability-group`` — createInstances into the caller's availability group.
* ``deleted-resources`` — deleteInstance, settle, then try to attach the instance's disks and associate its
  elastic IP elsewhere (what a deleted instance leaves behind is observable only this way).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from vmrules.defaults import NORTH
from vmrules.model import Instance
from vmrules.testing.conformance.divergence import Divergence
from vmrules.testing.conformance.lockstep import Lockstep
from vmrules.testing.conformance.settings import JSON
from vmrules.testing.strategies import valid_requests

Scenario = Callable[[Lockstep, st.DataObject, str], "Divergence | None"]


def _pick(data: st.DataObject, items: list[Any], label: str) -> Any:
    """An item by a fixed-range index (keeps hypothesis's choice sequence aligned as the world changes)."""
    if not items:
        return None
    return items[data.draw(st.integers(0, 2**16), label=label) % len(items)]


def _instances(lock: Lockstep, caller: str, where: Callable[[Instance], bool]) -> list[Instance]:
    world = lock.model
    return sorted((i for i in world.instances.values() if i.owner == caller and i.region == NORTH
                   and not world.busy(i.instance_id) and where(i)), key=lambda i: i.instance_id)


def _run(lock: Lockstep, steps: list[tuple[str, JSON | None]], caller: str) -> Divergence | None:
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


def token_retry(lock: Lockstep, data: st.DataObject, caller: str) -> Divergence | None:
    params = dict(data.draw(valid_requests(lock.model, "createInstances", caller=caller), label="create"))
    params["clientToken"] = f"retry-{data.draw(st.integers(0, 9999), label='token')}"
    spec = params.get("instanceSpec")
    changed = {**params, "instanceSpec": {**spec, "name": "retry-other"}} if isinstance(spec, dict) else \
        {**params, "maxCount": 2}
    return _run(lock, [("createInstances", params), ("createInstances", params), ("settle", None),
                       ("createInstances", params), ("createInstances", changed)], caller)


_LISTINGS = ("describeInstances", "describeImages", "describeInstanceStatus", "describeInstancePrivateIpAddress",
             "describeInstanceTypes")


def walk_pages(lock: Lockstep, data: st.DataObject, caller: str) -> Divergence | None:
    operation = _pick(data, list(_LISTINGS), "listing")
    size = data.draw(st.integers(10, 11), label="page size")  # the smallest page sizes the API allows
    world = lock.model
    base: JSON = {"regionId": NORTH, "pageSize": size}
    if operation == "describeImages":
        base["imageSource"] = _pick(data, ["private", "public", "shared", "thirdparty"], "image source")
        total = len(world.images)
    elif operation == "describeInstanceTypes":
        total = len(world.instance_types)
    else:
        total = sum(1 for i in world.instances.values() if i.owner == caller and i.region == NORTH)
        if total <= size:  # make a second page
            create = dict(data.draw(valid_requests(world, "createInstances", caller=caller), label="create"))
            found = _run(lock, [("createInstances", {**create, "maxCount": size + 2 - total}), ("settle", None)],
                         caller)
            if found is not None:
                return found
            total = size + 2
    pages = min(12, -(-total // size) + 1)
    return _run(lock, [(operation, {**base, "pageNumber": n}) for n in range(1, pages + 1)], caller)


def _free_disks(lock: Lockstep, caller: str, az: str, multi: bool | None = None) -> list[str]:
    world = lock.model
    return sorted(d.disk_id for d in world.disks.values() if d.owner == caller and d.az == az
                  and d.status == "available" and not d.attachments and not world.busy(d.disk_id)
                  and (multi is None or d.multi_attachable == multi))


def fill_disks(lock: Lockstep, data: st.DataObject, caller: str) -> Divergence | None:
    inst = _pick(data, _instances(lock, caller, lambda i: i.status in ("running", "stopped")), "instance")
    if inst is None:
        return None
    steps: list[tuple[str, JSON | None]] = []
    for disk_id in _free_disks(lock, caller, inst.az)[:9 - len(inst.data_disks)]:
        steps += [("attachDisk", {"regionId": NORTH, "instanceId": inst.instance_id, "diskId": disk_id}),
                  ("settle", None)]
    return _run(lock, steps, caller)


def multi_attach(lock: Lockstep, data: st.DataObject, caller: str) -> Divergence | None:
    shared = _free_disks(lock, caller, "cn-north-1a", multi=True)
    hosts = _instances(lock, caller, lambda i: i.az == "cn-north-1a" and i.status in ("running", "stopped"))
    if not shared or len(hosts) < 2:
        return None
    disk = _pick(data, shared, "disk")
    first, second = hosts[0].instance_id, hosts[1].instance_id
    return _run(lock, [
        ("attachDisk", {"regionId": NORTH, "instanceId": first, "diskId": disk}), ("settle", None),
        ("attachDisk", {"regionId": NORTH, "instanceId": second, "diskId": disk}), ("settle", None),
        ("detachDisk", {"regionId": NORTH, "instanceId": first, "diskId": disk}), ("settle", None),
        ("attachDisk", {"regionId": NORTH, "instanceId": second, "diskId": disk})], caller)


def prepaid_expiry(lock: Lockstep, data: st.DataObject, caller: str) -> Divergence | None:
    params = dict(data.draw(valid_requests(lock.model, "createInstances", caller=caller), label="create"))
    spec = params.get("instanceSpec")
    if not isinstance(spec, dict) or "instanceTemplateId" in spec:
        return None
    months = data.draw(st.integers(1, 2), label="months")
    params["instanceSpec"] = {**spec, "charge": {"chargeMode": "prepaid_by_duration", "chargeUnit": "month",
                                                 "chargeDuration": months}}
    before = set(lock.model.instances)
    found = _run(lock, [("createInstances", params), ("settle", None)], caller)
    if found is not None:
        return found
    created = sorted(set(lock.model.instances) - before)
    steps: list[tuple[str, JSON | None]] = [("deleteInstance", {"regionId": NORTH, "instanceId": i}) for i in created]
    found = _run(lock, steps, caller)
    if found is not None or not lock.can_advance:
        return found
    found = lock.advance(months * 31 * 86400 + 86400)
    if found is not None:
        return found
    return _run(lock, [*steps, ("settle", None)], caller)


def whole_machine_image(lock: Lockstep, data: st.DataObject, caller: str) -> Divergence | None:
    inst = _pick(data, _instances(lock, caller, lambda i: i.status == "stopped" and i.system_disk.category == "cloud"
                                  and bool(i.data_disks)), "instance")
    if inst is None:
        return None
    before = set(lock.model.images)
    found = _run(lock, [("createImage", {"regionId": NORTH, "instanceId": inst.instance_id, "name": "whole-img"}),
                        ("settle", None)], caller)
    if found is not None:
        return found
    made = sorted(set(lock.model.images) - before)
    others = [p for p in sorted(lock.model.accounts) if p != caller][:1]
    return _run(lock, [("shareImage", {"regionId": NORTH, "imageId": i, "pins": others}) for i in made], caller)


def compound_state(lock: Lockstep, data: st.DataObject, caller: str) -> Divergence | None:
    inst = _pick(data, _instances(lock, caller, lambda i: i.status in ("running", "stopped")), "instance")
    if inst is None:
        return None
    start = "stopInstance" if inst.status == "running" else "startInstance"
    target = {"regionId": NORTH, "instanceId": inst.instance_id}
    follow = _pick(data, ["stopInstance", "startInstance", "rebootInstance", "deleteInstance", "resizeInstance",
                          "modifyInstancePassword", "createImage", "describeInstanceVncUrl", "attachDisk"], "follow")
    extra: JSON = {"resizeInstance": {"instanceType": "g.n2.large"}, "modifyInstancePassword":
                   {"password": "Ab2!Cd4#Ef6%"}, "createImage": {"name": "busy-img"}}.get(follow, {})
    if follow == "attachDisk":
        disks = _free_disks(lock, caller, inst.az)
        extra = {"diskId": disks[0]} if disks else {"diskId": "vol-missing000"}
    return _run(lock, [(start, target), (follow, {**target, **extra}), ("settle", None)], caller)


def availability_group(lock: Lockstep, data: st.DataObject, caller: str) -> Divergence | None:
    groups = sorted(g.ag_id for g in lock.model.availability_groups.values() if g.owner == caller)
    group = _pick(data, groups, "group")
    if group is None:
        return None
    params: JSON = {"regionId": NORTH, "instanceSpec": {"agId": group, "name": "ag-node"},
                    "maxCount": data.draw(st.integers(1, 2), label="count")}
    return _run(lock, [("createInstances", params), ("settle", None)], caller)


def deleted_resources(lock: Lockstep, data: st.DataObject, caller: str) -> Divergence | None:
    world = lock.model
    victim = _pick(data, _instances(lock, caller, lambda i: i.status in ("running", "stopped", "error")
                                    and (i.charge is None or i.charge.mode != "prepaid_by_duration")), "victim")
    if victim is None:
        return None
    disks = [dd.disk_id for dd in victim.data_disks]
    if victim.system_disk.disk_id is not None:
        disks.append(victim.system_disk.disk_id)
    nic = world.network_interfaces.get(victim.primary_nic_id)
    eip = nic.elastic_ip_id if nic is not None else None
    found = _run(lock, [("deleteInstance", {"regionId": NORTH, "instanceId": victim.instance_id}),
                        ("settle", None)], caller)
    if found is not None:
        return found
    hosts = _instances(lock, caller, lambda i: i.az == victim.az and i.status in ("running", "stopped"))
    if not hosts:
        return None
    host = hosts[0]
    steps: list[tuple[str, JSON | None]] = [
        ("attachDisk", {"regionId": NORTH, "instanceId": host.instance_id, "diskId": d}) for d in disks]
    if eip is not None:
        steps.append(("associateElasticIp", {"regionId": NORTH, "instanceId": host.instance_id,
                                             "elasticIpId": eip}))
    return _run(lock, [*steps, ("settle", None)], caller)


SCENARIOS: dict[str, Scenario] = {
    "token-retry": token_retry,
    "walk-pages": walk_pages,
    "fill-disks": fill_disks,
    "multi-attach": multi_attach,
    "prepaid-expiry": prepaid_expiry,
    "whole-machine-image": whole_machine_image,
    "compound-state": compound_state,
    "availability-group": availability_group,
    "deleted-resources": deleted_resources,
}
