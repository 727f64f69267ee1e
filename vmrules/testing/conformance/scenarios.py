"""Scenarios: short sequences of lockstep steps that build the states single random steps rarely reach.

Each scenario takes the lockstep driver and a hypothesis ``data`` object, sends its steps through
``Lockstep.request`` / ``settle`` / ``advance`` (so every step is compared and recorded as usual) and returns
the first divergence or None. What the steps are is read from the model's current world; when the world
offers nothing suitable the scenario sends what it can (the reference stays the oracle).

* ``token-retry`` — createInstances with a clientToken, then the same request again (an idempotent replay),
  then the same token with different parameters, a refused request and its correction under one token (a
  refusal is not remembered), then (with a second caller) another account's request with the same token
  (tokens are per account).
* ``walk-pages`` — every page of a listing with a small page size, one page past the end (instances or own
  images are created first when there is only one page).
* ``image-pages`` — eleven own images: describeImages walked with page size 10, then copyImages of ten of
  them (the limit) and of eleven (one over).
* ``fill-disks`` — attachDisk free disks one by one to an instance until the data-disk limit refuses one.
* ``multi-attach`` — a multi-attachable disk attached to two instances, then detached from one.
* ``prepaid-expiry`` — a prepaid instance created, the clock advanced past its expiry, then deleted.
* ``whole-machine-image`` — an image of a stopped instance with data disks, then shared (refused).
* ``compound-state`` — a power operation started and, before it completes, another request on the same
  instance (the "task in progress" rules), then settle.
* ``availability-group`` — createInstances into the caller's availability group.
* ``deleted-resources`` — deleteInstance of an instance with autoDelete data disks (one is created when there is
  none), settle, then try to attach its disks and associate its elastic IP elsewhere (what a deleted instance
  leaves behind is observable only this way).
* ``filter-listings`` — the instance listings filtered by two values of one filter, by two filters, and by
  part of a name or a private address (OR within a filter, AND across filters, fuzzy name and address); the
  public and the caller's private images by each platform, root device type and status.
* ``vnc-expiry`` — describeInstanceVncUrl, the clock advanced past the URL's one-hour validity, again: the
  expired URL must not be handed out again (only with ``advance``).
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import strategies as st

from vmrules.defaults import NORTH
from vmrules.model import Instance
from vmrules.operations.describe import VNC_VALIDITY
from vmrules.testing.conformance.divergence import Divergence
from vmrules.testing.conformance.lockstep import Lockstep
from vmrules.testing.conformance.settings import JSON
from vmrules.testing.conformance.setups.common import idle_instances, pick, run_steps
from vmrules.testing.strategies import valid_requests

Scenario = Callable[[Lockstep, st.DataObject, str], "Divergence | None"]


def token_retry(lock: Lockstep, data: st.DataObject, caller: str) -> Divergence | None:
    params = dict(data.draw(valid_requests(lock.model, "createInstances", caller=caller), label="create"))
    params["clientToken"] = f"retry-{data.draw(st.integers(0, 9999), label='token')}"
    spec = params.get("instanceSpec")
    changed = {**params, "instanceSpec": {**spec, "name": "retry-other"}} if isinstance(spec, dict) else \
        {**params, "maxCount": 2}
    # A refused request's token names nothing: the corrected request with the same token creates.
    refused = {**params, "instanceSpec": {**spec, "name": ""}} if isinstance(spec, dict) else {**params, "maxCount": 0}
    corrected = {**params, "clientToken": params["clientToken"] + "-fixed"}
    found = run_steps(lock, [("createInstances", params), ("createInstances", params), ("settle", None),
                        ("createInstances", params), ("createInstances", changed),
                        ("createInstances", {**refused, "clientToken": corrected["clientToken"]}),
                        ("createInstances", corrected), ("settle", None)], caller)
    others = [c for c in lock.kit.callers if c != caller and c in lock.model.accounts]
    if found is not None or not others:
        return found
    # A token names one account's request: another account's request with the same token is its own.
    other = others[0]
    theirs = dict(data.draw(valid_requests(lock.model, "createInstances", caller=other), label="other create"))
    return run_steps(lock, [("createInstances", {**theirs, "clientToken": params["clientToken"]}), ("settle", None)],
                     other)


_LISTINGS = ("describeInstances", "describeImages", "describeInstanceStatus", "describeInstancePrivateIpAddress",
             "describeInstanceTypes")


def walk_pages(lock: Lockstep, data: st.DataObject, caller: str) -> Divergence | None:
    operation = pick(data, list(_LISTINGS), "listing")
    size = data.draw(st.integers(10, 11), label="page size")  # the smallest page sizes the API allows
    world = lock.model
    base: JSON = {"regionId": NORTH, "pageSize": size}
    if operation == "describeImages":
        # Only the caller's own images can be made more of: a second page of them is built when there is none.
        base["imageSource"] = "private"
        found = _own_images(lock, caller, size + 1)
        if found is not None:
            return found
        total = len(_private_images(lock, caller))
    elif operation == "describeInstanceTypes":
        total = len(world.instance_types)
    else:
        total = sum(1 for i in world.instances.values() if i.owner == caller and i.region == NORTH)
        if total <= size:  # make a second page
            create = dict(data.draw(valid_requests(world, "createInstances", caller=caller), label="create"))
            found = run_steps(lock, [("createInstances", {**create, "maxCount": size + 2 - total}), ("settle", None)],
                         caller)
            if found is not None:
                return found
            total = size + 2
    pages = min(12, -(-total // size) + 1)
    return run_steps(lock, [(operation, {**base, "pageNumber": n}) for n in range(1, pages + 1)], caller)


def _private_images(lock: Lockstep, caller: str, copyable: bool = False) -> list[str]:
    """The caller's own images in the region, ready; ``copyable``: with a cloud-disk root (copyImages)."""
    return sorted(i.image_id for i in lock.model.images.values()
                  if i.owner == caller and i.region == NORTH and i.source == "private" and i.status == "ready"
                  and (not copyable or i.root_device_type == "cloudDisk"))


def _own_images(lock: Lockstep, caller: str, count: int) -> Divergence | None:
    """createImage of the caller's stopped cloud-disk instances (a round of one image each, settled) until the
    caller owns ``count`` ready copyable images, or the image quota or the instances run out."""
    for round_ in range(count):
        have = len(_private_images(lock, caller, copyable=True))
        stopped = idle_instances(lock, caller, lambda i: i.status == "stopped" and i.system_disk.category == "cloud")
        if have >= count or not stopped:
            return None
        room = lock.model.accounts[caller].quota("image") - lock.model.used(caller, NORTH, "image")
        steps: list[tuple[str, JSON | None]] = [
            ("createImage", {"regionId": NORTH, "instanceId": inst.instance_id, "name": f"page-{round_}-{n}"})
            for n, inst in enumerate(stopped[:max(0, min(count - have, room))])]
        if not steps:
            return None
        found = run_steps(lock, [*steps, ("settle", None)], caller)
        if found is not None:
            return found
    return None


def image_pages(lock: Lockstep, data: st.DataObject, caller: str) -> Divergence | None:
    """Eleven own images: describeImages walked page by page (page size 10), then copyImages of ten of them
    (the limit) and of all eleven (one over)."""
    found = _own_images(lock, caller, 11)
    if found is not None:
        return found
    walk: list[tuple[str, JSON | None]] = [
        ("describeImages", {"regionId": NORTH, "imageSource": "private", "pageSize": 10, "pageNumber": n})
        for n in (1, 2, 3)]
    images = _private_images(lock, caller, copyable=True)
    region = pick(data, ["cn-east-2", "cn-south-1"], "destination")
    copies: list[tuple[str, JSON | None]] = [
        ("copyImages", {"regionId": NORTH, "sourceImageIds": images[:n], "destinationRegion": region})
        for n in (11, 10) if len(images) >= n]
    return run_steps(lock, [*walk, *copies, ("settle", None)], caller)


def filter_listings(lock: Lockstep, data: st.DataObject, caller: str) -> Divergence | None:
    """The instance listings filtered where the filters' semantics show: two values of one filter (OR-ed),
    two filters (AND-ed, the second narrowing the first), and a part of a name or an address (the fuzzy
    filters match parts); then the image listing narrowed by each of its filters."""
    world = lock.model
    mine = sorted((i for i in world.instances.values() if i.owner == caller and i.region == NORTH),
                  key=lambda i: i.instance_id)
    if len(mine) < 2:
        return None
    first = pick(data, mine, "first instance")
    second = pick(data, [i for i in mine if i.instance_id != first.instance_id], "second instance")
    ids = [first.instance_id, second.instance_id]
    names = [first.name, second.name]
    nic = world.network_interfaces.get(first.primary_nic_id)
    cut = data.draw(st.integers(1, max(1, len(first.name) - 1)), label="name part")
    steps: list[tuple[str, JSON | None]] = []
    for operation in ("describeInstances", "describeInstanceStatus", "describeInstancePrivateIpAddress"):
        steps += [(operation, {"regionId": NORTH, "filters": filters}) for filters in (
            [{"name": "instanceId", "values": ids}],
            [{"name": "instanceId", "values": ids}, {"name": "instanceId", "values": ids[1:]}],
            [{"name": "name", "values": names}],
            [{"name": "name", "values": [first.name[:cut]]}],
            [{"name": "name", "values": [first.name[cut:] or first.name]}],
            [{"name": "status", "values": ["running", "stopped"]}, {"name": "instanceId", "values": ids[:1]}],
        )]
        if nic is not None:
            address = nic.private_ip
            steps += [(operation, {"regionId": NORTH, "filters": [{"name": "privateIpAddress", "values": [part]}]})
                      for part in (address, address.rsplit(".", 1)[0], address[:-1])]
    # describeImages by each source, narrowed by each platform, root device type and status the source's images
    # have and one they do not (a filter ignored shows more images than the reference).
    images = [i for i in world.images.values() if i.region == NORTH]
    for source in ("public", "private"):
        held = [i for i in images if i.source == source and (source == "public" or i.owner == caller)]
        for key, values in (("platform", sorted({i.platform for i in held} | {"Windows Server"})),
                            ("rootDeviceType", ["cloudDisk", "localDisk"]),
                            ("status", sorted({i.status for i in held} | {"error"}))):
            if source == "public" and key == "status":
                continue
            steps += [("describeImages", {"regionId": NORTH, "imageSource": source, key: value})
                      for value in values]
    return run_steps(lock, steps, caller)


def vnc_expiry(lock: Lockstep, data: st.DataObject, caller: str) -> Divergence | None:
    """describeInstanceVncUrl, the clock moved past the URL's one-hour validity, then again: the system must
    not hand out the expired URL again (a URL past its validity no longer works)."""
    inst = pick(data, idle_instances(lock, caller, lambda i: i.status == "running"), "instance")
    if inst is None:
        return None
    params: JSON = {"regionId": NORTH, "instanceId": inst.instance_id}
    found = lock.request("describeInstanceVncUrl", params, caller)
    if found is not None or not lock.can_advance:
        return found
    before = _vnc_url(lock)
    found = lock.advance(VNC_VALIDITY + 1) or lock.request("describeInstanceVncUrl", params, caller)
    if found is not None:
        return found
    after = _vnc_url(lock)
    if before is not None and before == after:
        reference = lock.last[0].get("result", {}).get("vncUrl") if lock.last is not None else None
        return lock.result_differs("vncUrl (the URL issued more than an hour before, handed out again)",
                                   reference, after)
    return None


def _vnc_url(lock: Lockstep) -> str | None:
    if lock.last is None or not isinstance(lock.last[1], dict):
        return None
    result = lock.last[1].get("result")
    url = result.get("vncUrl") if isinstance(result, dict) else None
    return url if isinstance(url, str) else None


def _free_disks(lock: Lockstep, caller: str, az: str, multi: bool | None = None) -> list[str]:
    world = lock.model
    return sorted(d.disk_id for d in world.disks.values() if d.owner == caller and d.az == az
                  and d.status == "available" and not d.attachments and not world.busy(d.disk_id)
                  and (multi is None or d.multi_attachable == multi))


def fill_disks(lock: Lockstep, data: st.DataObject, caller: str) -> Divergence | None:
    inst = pick(data, idle_instances(lock, caller, lambda i: i.status in ("running", "stopped")), "instance")
    if inst is None:
        return None
    steps: list[tuple[str, JSON | None]] = []
    for disk_id in _free_disks(lock, caller, inst.az)[:9 - len(inst.data_disks)]:
        steps += [("attachDisk", {"regionId": NORTH, "instanceId": inst.instance_id, "diskId": disk_id}),
                  ("settle", None)]
    return run_steps(lock, steps, caller)


def multi_attach(lock: Lockstep, data: st.DataObject, caller: str) -> Divergence | None:
    shared = _free_disks(lock, caller, "cn-north-1a", multi=True)
    hosts = idle_instances(lock, caller, lambda i: i.az == "cn-north-1a" and i.status in ("running", "stopped"))
    if not shared or len(hosts) < 2:
        return None
    disk = pick(data, shared, "disk")
    first, second = hosts[0].instance_id, hosts[1].instance_id
    return run_steps(lock, [
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
    found = run_steps(lock, [("createInstances", params), ("settle", None)], caller)
    if found is not None:
        return found
    created = sorted(set(lock.model.instances) - before)
    steps: list[tuple[str, JSON | None]] = [("deleteInstance", {"regionId": NORTH, "instanceId": i}) for i in created]
    found = run_steps(lock, steps, caller)
    if found is not None or not lock.can_advance:
        return found
    found = lock.advance(months * 31 * 86400 + 86400)
    if found is not None:
        return found
    return run_steps(lock, [*steps, ("settle", None)], caller)


def whole_machine_image(lock: Lockstep, data: st.DataObject, caller: str) -> Divergence | None:
    inst = pick(data, idle_instances(lock, caller, lambda i: i.status == "stopped" and i.system_disk.category == "cloud"
                                  and bool(i.data_disks)), "instance")
    if inst is None:
        return None
    before = set(lock.model.images)
    found = run_steps(lock, [("createImage", {"regionId": NORTH, "instanceId": inst.instance_id, "name": "whole-img"}),
                        ("settle", None)], caller)
    if found is not None:
        return found
    made = sorted(set(lock.model.images) - before)
    others = [p for p in sorted(lock.model.accounts) if p != caller][:1]
    return run_steps(lock, [("shareImage", {"regionId": NORTH, "imageId": i, "pins": others}) for i in made], caller)


def compound_state(lock: Lockstep, data: st.DataObject, caller: str) -> Divergence | None:
    inst = pick(data, idle_instances(lock, caller, lambda i: i.status in ("running", "stopped")), "instance")
    if inst is None:
        return None
    start = "stopInstance" if inst.status == "running" else "startInstance"
    target = {"regionId": NORTH, "instanceId": inst.instance_id}
    follow = pick(data, ["stopInstance", "startInstance", "rebootInstance", "deleteInstance", "resizeInstance",
                          "modifyInstancePassword", "createImage", "describeInstanceVncUrl", "attachDisk"], "follow")
    extra: JSON = {"resizeInstance": {"instanceType": "g.n2.large"}, "modifyInstancePassword":
                   {"password": "Ab2!Cd4#Ef6%"}, "createImage": {"name": "busy-img"}}.get(follow, {})
    if follow == "attachDisk":
        disks = _free_disks(lock, caller, inst.az)
        extra = {"diskId": disks[0]} if disks else {"diskId": "vol-missing000"}
    return run_steps(lock, [(start, target), (follow, {**target, **extra}), ("settle", None)], caller)


def availability_group(lock: Lockstep, data: st.DataObject, caller: str) -> Divergence | None:
    groups = sorted(g.ag_id for g in lock.model.availability_groups.values() if g.owner == caller)
    group = pick(data, groups, "group")
    if group is None:
        return None
    params: JSON = {"regionId": NORTH, "instanceSpec": {"agId": group, "name": "ag-node"},
                    "maxCount": data.draw(st.integers(1, 2), label="count")}
    return run_steps(lock, [("createInstances", params), ("settle", None)], caller)


def _deletable(inst: Instance) -> bool:
    return inst.status in ("running", "stopped", "error") and (inst.charge is None
                                                               or inst.charge.mode != "prepaid_by_duration")


def deleted_resources(lock: Lockstep, data: st.DataObject, caller: str) -> Divergence | None:
    # The victim has data disks that go with it (autoDelete), so that a disk left behind can be probed; one is
    # created when the caller has none.
    with_disks = idle_instances(lock, caller, lambda i: _deletable(i) and any(d.auto_delete for d in i.data_disks))
    if not with_disks:
        before = set(lock.model.instances)
        create = dict(data.draw(valid_requests(lock.model, "createInstances", caller=caller), label="create"))
        spec = create.get("instanceSpec")
        if isinstance(spec, dict) and "instanceTemplateId" not in spec:
            disk: JSON = {"diskCategory": "cloud", "autoDelete": True,
                          "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 20}}
            create = {**create, "maxCount": 1, "instanceSpec": {**spec, "dataDisks": [disk]}}
            found = run_steps(lock, [("createInstances", create), ("settle", None)], caller)
            if found is not None:
                return found
        with_disks = [i for i in idle_instances(lock, caller, _deletable)
                      if i.instance_id not in before and i.data_disks]
    world = lock.model
    victim = pick(data, with_disks or idle_instances(lock, caller, _deletable), "victim")
    if victim is None:
        return None
    disks = [dd.disk_id for dd in victim.data_disks]
    if victim.system_disk.disk_id is not None:
        disks.append(victim.system_disk.disk_id)
    nic = world.network_interfaces.get(victim.primary_nic_id)
    eip = nic.elastic_ip_id if nic is not None else None
    found = run_steps(lock, [("deleteInstance", {"regionId": NORTH, "instanceId": victim.instance_id}),
                        ("settle", None)], caller)
    if found is not None:
        return found
    hosts = idle_instances(lock, caller, lambda i: i.az == victim.az and i.status in ("running", "stopped"))
    if not hosts:
        return None
    host = min(hosts, key=lambda i: (len(i.data_disks), i.instance_id))  # room for a disk that survived
    steps: list[tuple[str, JSON | None]] = [
        ("attachDisk", {"regionId": NORTH, "instanceId": host.instance_id, "diskId": d}) for d in disks]
    if eip is not None:
        steps.append(("associateElasticIp", {"regionId": NORTH, "instanceId": host.instance_id,
                                             "elasticIpId": eip}))
    return run_steps(lock, [*steps, ("settle", None)], caller)


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
    "image-pages": image_pages,
    "vnc-expiry": vnc_expiry,
    "filter-listings": filter_listings,
}
