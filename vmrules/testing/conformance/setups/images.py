"""Setups for the image rules that need an image still being made, a copy in progress, a local-disk image in use,
createImage's dataDisks entries, a disk busy elsewhere, or an account at its image quota.

An image "in progress" is a createImage of a stopped instance left unsettled; a copy in progress is a copyImages
left unsettled. The quota is reached with createImage of every stopped instance at once and copyImages of ten
images at a time, and freed again after the pair (the teardown deletes what the fill made).
"""

from __future__ import annotations

import string

from hypothesis import strategies as st

from vmrules.defaults import NORTH
from vmrules.model import Image, Instance
from vmrules.testing.conformance.divergence import Divergence
from vmrules.testing.conformance.edges import create_spec
from vmrules.testing.conformance.lockstep import Lockstep
from vmrules.testing.conformance.settings import JSON
from vmrules.testing.conformance.setups.base import Registry
from vmrules.testing.conformance.setups.common import (
    SETUP_INSTANCE,
    idle_instances,
    instance_of_kind,
    make_room,
    pick,
    plain_charge,
    run_steps,
)

registry = Registry()

_DESTINATION = "cn-east-2"  # where copies go (any region but the kit's); the reference refuses an unknown one
_FILLER = "setup-image-fill"  # the name of the images that fill the quota
_LOCAL_IMAGE = "img-centos7lcl"  # a public local-disk image (what a local-system-disk instance is built from)


def _cloud_stopped(inst: Instance) -> bool:
    return inst.system_disk.category == "cloud" and inst.status == "stopped"


def _own_images(lock: Lockstep, caller: str, region: str = NORTH, *, ready: bool = True) -> list[Image]:
    world = lock.model
    return sorted((i for i in world.images.values() if i.owner == caller and i.region == region
                   and i.source == "private" and (not ready or (i.status == "ready"
                                                                and not world.busy(i.image_id)))),
                  key=lambda i: i.image_id)


def _copyable(lock: Lockstep, caller: str) -> list[Image]:
    """The caller's ready private images in the kit's region that copyImages takes (cloud-disk ones)."""
    return [i for i in _own_images(lock, caller) if i.root_device_type == "cloudDisk"]


def _new_images(lock: Lockstep, before: set[str]) -> list[str]:
    return sorted(set(lock.model.images) - before)


def _destination(lock: Lockstep) -> str:
    regions = sorted(r for r in lock.model.regions if r != NORTH)
    return _DESTINATION if _DESTINATION in regions or not regions else regions[0]


@registry.setup_for("SHARE_IMAGE.READY", "COPY_IMAGES.SOURCE_READY", "DELETE_IMAGE.NO_TASK")
def image_being_made(lock: Lockstep, data: st.DataObject, caller: str,
                     rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """createImage of a stopped instance without data disks (built when the world has none), left in progress;
    then the rule's request on the new image."""
    found, divergence = instance_of_kind(lock, data, caller, lambda i: _cloud_stopped(i) and not i.data_disks,
                                         {"dataDisks": None})
    if found is None or divergence is not None:
        return [], divergence
    before = set(lock.model.images)
    divergence = lock.request("createImage", {"regionId": NORTH, "instanceId": found, "name": "setup-pending"},
                              caller)
    made = _new_images(lock, before)
    if not made:
        return [], divergence
    image_id = made[0]
    if rule_id == "SHARE_IMAGE.READY":
        others = [p for p in sorted(lock.model.accounts) if p != caller][:1]
        return [{"regionId": NORTH, "imageId": image_id, "pins": others}], divergence
    if rule_id == "COPY_IMAGES.SOURCE_READY":
        return [{"regionId": NORTH, "sourceImageIds": [image_id], "destinationRegion": _destination(lock)}], \
            divergence
    return [{"regionId": NORTH, "imageId": image_id}], divergence


@registry.setup_for("COPY_IMAGES.SOURCE_NO_TASK")
def copy_in_progress(lock: Lockstep, data: st.DataObject, caller: str,
                     rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """copyImages of a ready private image left in progress (its source holds the copy's task), then again."""
    image = pick(data, _copyable(lock, caller), "source image")
    if image is None:
        return [], None
    params: JSON = {"regionId": NORTH, "sourceImageIds": [image.image_id], "destinationRegion": _destination(lock)}
    return [params], lock.request("copyImages", params, caller)


@registry.setup_for("DELETE_IMAGE.LOCAL_IMAGE_IN_USE")
def local_image_in_use(lock: Lockstep, data: st.DataObject, caller: str,
                       rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """A private local-disk image (createImage of a stopped local-system-disk instance, its data disks left out)
    with an instance created from it; then deleteImage of it."""
    world = lock.model
    images = [i for i in _own_images(lock, caller) if i.root_device_type == "localDisk"
              and any(inst.image_id == i.image_id for inst in world.instances.values())]
    if images:
        return [{"regionId": NORTH, "imageId": pick(data, images, "image in use").image_id}], None
    found, divergence = instance_of_kind(lock, data, caller, lambda i: i.system_disk.category == "local",
                                         {"imageId": _LOCAL_IMAGE, "systemDisk": {"diskCategory": "local"}})
    if found is None or divergence is not None:
        return [], divergence
    local = lock.model.instances[found]
    world = lock.model
    before = set(world.images)
    params: JSON = {"regionId": NORTH, "instanceId": local.instance_id, "name": "setup-local",
                    "dataDisks": [{"deviceName": d.device_name, "noDevice": True} for d in local.data_disks]}
    divergence = run_steps(lock, [("createImage", params), ("settle", {})], caller)
    made = _new_images(lock, before)
    spec = create_spec(lock.model, caller, local=True)
    if divergence is not None or not made or spec is None:
        return [], divergence
    spec["instanceSpec"] = {**spec["instanceSpec"], "imageId": made[0], "name": SETUP_INSTANCE}
    divergence = make_room(lock, caller, 1, str(spec["instanceSpec"]["instanceType"])) or \
        run_steps(lock, [("createInstances", spec), ("settle", {})], caller)
    return [{"regionId": NORTH, "imageId": made[0]}], divergence


_DATA_DISK_RULES = ("CREATE_IMAGE.DATA_DISK_CATEGORY", "CREATE_IMAGE.DATA_DISK_DEVICE_UNIQUE",
                    "CREATE_IMAGE.DATA_DISK_LIMIT", "CREATE_IMAGE.DATA_DISK_NEW_NEEDS_SPEC",
                    "CREATE_IMAGE.DATA_DISK_NO_DEVICE_ATTACHED", "CREATE_IMAGE.DATA_DISK_SNAPSHOT_EXISTS",
                    "CREATE_IMAGE.DATA_DISK_SPEC")


def _unused_device_names(inst: Instance) -> list[str]:
    used = {d.device_name for d in inst.data_disks}
    return [f"vd{c}" for c in string.ascii_lowercase[1:] if f"vd{c}" not in used]


@registry.setup_for(*_DATA_DISK_RULES)
def image_with_data_disks(lock: Lockstep, data: st.DataObject, caller: str,
                          rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """createImage of a stopped instance with a few data disks (built when the world has none), with dataDisks
    entries that keep one, add one of a size, add one from a snapshot, drop one; and, for the limit, one entry
    too many."""
    found, divergence = instance_of_kind(
        lock, data, caller, lambda i: _cloud_stopped(i) and 2 <= len(i.data_disks) <= 5,
        {"dataDisks": [{"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 20}}] * 2})
    if found is None or divergence is not None:
        return [], divergence
    inst = lock.model.instances[found]
    world = lock.model
    snapshots = sorted(s.snapshot_id for s in world.snapshots.values() if s.owner == caller and s.region == NORTH)
    fresh = _unused_device_names(inst)
    kept = {"deviceName": inst.data_disks[0].device_name, "diskCategory": "cloud"}
    added = {"deviceName": fresh[0], "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 20}}
    dropped = {"deviceName": inst.data_disks[-1].device_name, "noDevice": True}
    entries: dict[str, list[JSON]] = {
        "CREATE_IMAGE.DATA_DISK_CATEGORY": [kept, added],
        "CREATE_IMAGE.DATA_DISK_DEVICE_UNIQUE": [kept, added],
        "CREATE_IMAGE.DATA_DISK_SPEC": [added],
        "CREATE_IMAGE.DATA_DISK_NEW_NEEDS_SPEC": [added],
        "CREATE_IMAGE.DATA_DISK_NO_DEVICE_ATTACHED": [dropped, {"deviceName": fresh[1], "noDevice": True}],
        "CREATE_IMAGE.DATA_DISK_SNAPSHOT_EXISTS": [
            {"deviceName": fresh[1], "cloudDiskSpec": {"snapshotId": s}} for s in snapshots[:1]],
        "CREATE_IMAGE.DATA_DISK_LIMIT": [
            {"deviceName": name, "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 20}}
            for name in fresh[:8 - len(inst.data_disks)]],
    }
    return [{"regionId": NORTH, "instanceId": found, "name": "setup-disks", "dataDisks": entries[rule_id]}], None


@registry.setup_for("CREATE_IMAGE.DISKS_NO_TASK")
def disk_busy_elsewhere(lock: Lockstep, data: st.DataObject, caller: str,
                        rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """A multi-attach disk attached to a stopped instance (attached and settled first when it is on none), then
    detached from another instance it is on, or attached to one more (the disk holds that task, the first instance
    none); then createImage of the first instance."""
    world = lock.model
    shared = sorted((d for d in world.disks.values() if d.owner == caller and d.multi_attachable
                     and d.region == NORTH and not world.busy(d.disk_id)), key=lambda d: d.disk_id)
    if not shared:
        return [], None
    disk = shared[0]
    on = {a.instance_id for a in disk.attachments}
    ready = [i.instance_id for i in idle_instances(lock, caller, lambda i: _cloud_stopped(i) and plain_charge(i)
                                                   and i.instance_id in on)]
    steps: list[tuple[str, JSON]] = []
    if ready:
        first = ready[0]
    elif len(on) < _MULTI_ATTACH_MAX:
        found, divergence = instance_of_kind(lock, data, caller, lambda i: _cloud_stopped(i) and i.az == disk.az
                                             and len(i.data_disks) < 7, {"dataDisks": None})
        if found is None or divergence is not None:
            return [], divergence
        first = found
        steps += [("attachDisk", {"regionId": NORTH, "instanceId": first, "diskId": disk.disk_id}), ("settle", {})]
    else:
        running = [i.instance_id for i in idle_instances(lock, caller, lambda i: i.instance_id in on
                                                         and i.status == "running" and plain_charge(i)
                                                         and i.system_disk.category == "cloud")]
        if not running:
            return [], None
        first = running[0]
        divergence = run_steps(lock, [("stopInstance", {"regionId": NORTH, "instanceId": first}), ("settle", {})],
                               caller)
        if divergence is not None:
            return [], divergence
    also_on = [i.instance_id for i in idle_instances(lock, caller, lambda i: i.instance_id in on
                                                     and i.instance_id != first and i.status in ("running", "stopped"))]
    more = [i.instance_id for i in idle_instances(lock, caller, lambda i: i.instance_id not in on and plain_charge(i)
                                                  and i.az == disk.az and i.status in ("running", "stopped")
                                                  and len(i.data_disks) < 7 and i.instance_id != first)]
    if also_on:
        steps.append(("detachDisk", {"regionId": NORTH, "instanceId": also_on[0], "diskId": disk.disk_id}))
    elif more and len(on) + 1 < _MULTI_ATTACH_MAX:
        steps.append(("attachDisk", {"regionId": NORTH, "instanceId": more[0], "diskId": disk.disk_id}))
    else:
        return [], run_steps(lock, steps, caller)
    divergence = run_steps(lock, steps, caller)
    return [{"regionId": NORTH, "instanceId": first, "name": "setup-busy-disk"}], divergence


_MULTI_ATTACH_MAX = 16  # instances one multi-attach disk serves


def _image_room(lock: Lockstep, caller: str, region: str) -> int:
    world = lock.model
    return world.accounts[caller].quota("image") - world.used(caller, region, "image")


@registry.setup_for("CREATE_IMAGE.QUOTA", "COPY_IMAGES.QUOTA")
def images_at_quota(lock: Lockstep, data: st.DataObject, caller: str,
                    rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """The caller's image quota filled: in the kit's region with createImage of every stopped instance without
    data disks (one is built when there is none), round after round, then one image more; or in the destination
    region with copies of the caller's images, as many at a time as there are, then one copy too many."""
    if caller not in lock.model.accounts:
        return [], None
    if rule_id == "CREATE_IMAGE.QUOTA":
        found, divergence = instance_of_kind(lock, data, caller, lambda i: _cloud_stopped(i) and not i.data_disks,
                                             {"dataDisks": None})
        if found is None or divergence is not None:
            return [], divergence
        for _ in range(_ROUNDS):
            room = _image_room(lock, caller, NORTH)
            hosts = idle_instances(lock, caller, lambda i: _cloud_stopped(i) and plain_charge(i) and not i.data_disks)
            if room <= 0 or not hosts:
                break
            divergence = run_steps(lock, [*(("createImage", {"regionId": NORTH, "instanceId": h.instance_id,
                                                              "name": _FILLER}) for h in hosts[:room]),
                                          ("settle", {})], caller)
            if divergence is not None:
                return [], divergence
        return [{"regionId": NORTH, "instanceId": found, "name": "setup-one-more"}], None
    destination = _destination(lock)
    sources = [i.image_id for i in _copyable(lock, caller)][:10]
    if not sources:
        return [], None
    for _ in range(_ROUNDS):
        room = _image_room(lock, caller, destination)
        if room < len(sources):
            break
        params: JSON = {"regionId": NORTH, "sourceImageIds": sources, "destinationRegion": destination,
                        "name": _FILLER}
        divergence = run_steps(lock, [("copyImages", params), ("settle", {})], caller)
        if divergence is not None:
            return [], divergence
    room = max(0, _image_room(lock, caller, destination))
    return [{"regionId": NORTH, "sourceImageIds": sources[:room + 1], "destinationRegion": destination}], None


_ROUNDS = 25  # at most this many rounds of filling (the image quota is 20 per region)


@registry.teardown_for("CREATE_IMAGE.QUOTA", "COPY_IMAGES.QUOTA")
def images_freed(lock: Lockstep, caller: str) -> Divergence | None:
    """The images that filled the quota deleted again, in every region (the rules after need room to create)."""
    world = lock.model
    fillers = sorted((i for i in world.images.values() if i.owner == caller and i.name == _FILLER
                      and not world.busy(i.image_id) and not i.shared_with), key=lambda i: i.image_id)
    return run_steps(lock, [*(("deleteImage", {"regionId": i.region, "imageId": i.image_id}) for i in fillers),
                            ("settle", {})], caller)
