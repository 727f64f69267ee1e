"""Private images: createImage, deleteImage, copyImages, shareImage, unShareImage, modifyImageAttribute.

Images are owned (``Image.owner``): official and third-party images by the platform, private images by an
account. A private image shared with another account is "shared" to that account: it can see and use it,
but only the owner may modify, share, unshare, copy or delete it (PERMISSION_DENIED for a visible image that
is not the caller's own private one; NOT_FOUND for one the caller cannot see).

createImage and copyImages create ``pending`` images with a task that ``settle`` completes (→ ``ready``);
deleteImage sets ``deleting`` with a task whose completion removes the image. Choices the seed leaves open
are written down in docs/decisions/images.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from operator import attrgetter
from typing import Any

from pydantic import BaseModel, ConfigDict

from vmrules.model import Image, ImageDisk, Instance, OsType, Task
from vmrules.operation import Ctx, Operation, Request
from vmrules.operations.common import (
    Completion,
    InstanceCtx,
    InstanceRequest,
    as_source,
    exists_rule,
    image_ready_rule,
    instance_context,
    instance_exists,
    instance_idle,
    instance_status_in,
    no_task_rule,
    region_exists,
)
from vmrules.operations.params import description_rule, name_rule
from vmrules.rules import Finding, Findings, Phase, Rule, Source, api_2018, inferred, rule, sdk_doc, seed
from vmrules.world import World

JSON = dict[str, Any]

# 单个镜像最多可共享给20个京东云帐户 (seed, shareImage).
IMAGE_SHARE_MAX = 20
# copyImages: 要复制的私有镜像ID列表，最多支持10个 (SDK).
COPY_IMAGES_MAX = 10
# The data-disk limits of an instance (seed, createInstances): an image cannot carry more than an instance
# created from it could hold.
DATA_DISKS_MAX_LOCAL = 8
DATA_DISKS_MAX_CLOUD = 7
# Data-disk types and sizes an image's new data disks may have (seed, createInstances).
DATA_DISK_SIZES: dict[str, tuple[int, int]] = {"ssd": (20, 1000), "premium-hdd": (20, 3000)}
DATA_DISK_STEP = 10
_DATA_DEVICE = re.compile(r"vd[b-z]")


# ---- image-scoped requests and the shared rules -------------------------------------------------------


class ImageRequest(Request):
    """Parameters of every operation addressed to one image."""

    imageId: str


@dataclass(slots=True)
class ImageCtx(Ctx[Any]):
    """Context of an image operation: ``image`` is None when the caller cannot see it (or none was named)."""

    image: Image | None


def image_context(world: World, caller: str, req: Any) -> ImageCtx:
    image_id = getattr(req, "imageId", None)
    image = world.image(caller, req.regionId, image_id) if image_id is not None else None
    return ImageCtx(world, caller, req, image)


image_exists: Rule[ImageCtx] = exists_rule(
    "IMAGE.EXISTS", "image", "imageId", resolved=attrgetter("image"),
    requested=lambda ctx: getattr(ctx.req, "imageId", None),
    statement="The image exists in the region and the caller can see it: an official or third-party image, "
    "one of its own private images, or a private image shared with it.",
    source=inferred("an image the caller cannot see is not found, so another account's private image does "
                    "not leak"),
)


def own_private(caller: str, image: Image) -> bool:
    """The caller's own private image (个人私有镜像)."""
    return image.source == "private" and image.owner == caller


def image_kind(caller: str, image: Image) -> str:
    if image.source == "public":
        return "an official image"
    if image.source == "thirdparty":
        return "a third-party image"
    if image.owner != caller:
        return f"a private image of account {image.owner} shared with you"
    return "your private image"


def own_private_rule(rule_id: str, quote: str | Source, action: str) -> Rule[ImageCtx]:
    """PERMISSION_DENIED unless the (visible) image is the caller's own private image."""

    def check(ctx: ImageCtx) -> Findings:
        image = ctx.image
        if image is None or own_private(ctx.caller, image):
            return None
        return Finding(f"image {image.image_id} is {image_kind(ctx.caller, image)}; only your own private images "
                       f"can be {action}")

    return Rule(rule_id, Phase.PERMISSION, f"Only the caller's own private images can be {action}.",
                as_source(quote), "imageId", check)


def image_share_limit(world: World, pin: str) -> int:
    """How many accounts one image of ``pin`` may be shared with: the seed's 20, or less if the account's
    ``imageShare`` quota says so."""
    account = world.account(pin)
    quota = account.quota("imageShare") if account is not None else 0
    return min(IMAGE_SHARE_MAX, quota) if quota > 0 else IMAGE_SHARE_MAX


def _set_image(world: World, image: Image) -> World:
    return world.evolve(images=world.images.set(image.image_id, image))


def _image_snapshot_ids(world: World, image: Image) -> Iterator[str]:
    """The snapshots made for ``image`` (linked to it), system disk first."""
    candidates = [image.snapshot_id, *(d.snapshot_id for d in image.data_disks)]
    for sid in candidates:
        if sid is None:
            continue
        snap = world.snapshots.get(sid)
        if snap is not None and snap.image_id == image.image_id:
            yield sid


def _finish_image(world: World, task: Task) -> World:
    """pending → ready; the image's snapshots become available."""
    image = world.images.get(task.resource_id)
    if image is None:
        return world
    for sid in list(_image_snapshot_ids(world, image)):
        world = world.evolve(snapshots=world.snapshots.set(sid, replace(world.snapshots[sid], status="available")))
    return _set_image(world, replace(image, status="ready", progress="100%"))


def _new_snapshot(world: World, *, owner: str, region: str, disk_type: str, size_gb: int,
                  source_disk_id: str | None, image_id: str) -> tuple[str, World]:
    from vmrules.builders import add_snapshot

    sid, world = add_snapshot(world, owner=owner, region=region, disk_type=disk_type, size_gb=size_gb,
                              source_disk_id=source_disk_id, image_id=image_id)
    return sid, world.evolve(snapshots=world.snapshots.set(sid, replace(world.snapshots[sid], status="creating")))


# ---- createImage ------------------------------------------------------------------------------------


class ImageCloudDiskSpec(BaseModel):
    """The cloud disk of a ``dataDisks`` entry (DiskSpec / CloudDiskSpec); other DiskSpec fields are ignored."""

    model_config = ConfigDict(strict=True, frozen=True, extra="ignore", from_attributes=True)

    diskType: str | None = None
    diskSizeGB: int | None = None
    snapshotId: str | None = None


class ImageDataDiskSpec(BaseModel):
    """One ``dataDisks`` entry of createImage (InstanceDiskAttachmentSpec)."""

    model_config = ConfigDict(strict=True, frozen=True, extra="ignore", from_attributes=True)

    diskCategory: str | None = None
    autoDelete: bool | None = None
    cloudDiskSpec: ImageCloudDiskSpec | None = None
    deviceName: str | None = None
    noDevice: bool | None = None


class CreateImageRequest(InstanceRequest):
    name: str
    description: str | None = None
    dataDisks: list[ImageDataDiskSpec] | None = None


@dataclass(frozen=True, slots=True)
class PlannedDisk:
    """A data disk of the new image: snapshot ``disk_id`` of the instance, or take ``spec`` as given."""

    device_name: str
    disk_id: str | None
    disk_type: str
    size_gb: int
    snapshot_id: str | None


def _attached(inst: Instance) -> dict[str, str]:
    """deviceName → diskId of the instance's data disks."""
    return {d.device_name: d.disk_id for d in inst.data_disks}


def plan_data_disks(world: World, caller: str, inst: Instance, specs: list[ImageDataDiskSpec] | None,
                    ) -> list[PlannedDisk]:
    """The image's data disks: every attached cloud data disk, then each ``dataDisks`` entry drops
    (``noDevice``), replaces (same deviceName, with a ``cloudDiskSpec``) or adds (new deviceName) one."""
    attached = _attached(inst)
    by_device = {s.deviceName: s for s in specs or () if s.deviceName is not None}
    planned: list[PlannedDisk] = []
    for device, disk_id in attached.items():
        spec = by_device.get(device)
        if spec is not None and spec.noDevice:
            continue
        if spec is not None and spec.cloudDiskSpec is not None:
            planned.append(_from_spec(world, caller, device, spec.cloudDiskSpec))
            continue
        disk = world.disks.get(disk_id)
        planned.append(PlannedDisk(device, disk_id, disk.disk_type if disk else "ssd",
                                   disk.size_gb if disk else 20, None))
    for device, spec in by_device.items():
        if device in attached or spec.noDevice or spec.cloudDiskSpec is None:
            continue
        planned.append(_from_spec(world, caller, device, spec.cloudDiskSpec))
    return sorted(planned, key=lambda p: p.device_name)


def _from_spec(world: World, caller: str, device: str, spec: ImageCloudDiskSpec) -> PlannedDisk:
    found = world.snapshots.get(spec.snapshotId) if spec.snapshotId is not None else None
    snap = found if found is not None and found.owner == caller else None
    disk_type = spec.diskType or (snap.disk_type if snap else "ssd")
    size = spec.diskSizeGB or (snap.size_gb if snap else 20)
    return PlannedDisk(device, None, disk_type, size, spec.snapshotId)


def _specs(ctx: InstanceCtx[CreateImageRequest]) -> list[tuple[int, ImageDataDiskSpec]]:
    return list(enumerate(ctx.req.dataDisks or ()))


CREATE_IMAGE_DATA_DISKS = sdk_doc("createImage dataDisks: omitted → every cloud data disk is snapshotted; "
                                  "{deviceName, noDevice: true} drops that disk; a deviceName not on the instance "
                                  "adds a disk; one on the instance with a cloudDiskSpec replaces it")


@rule(
    "CREATE_IMAGE.DATA_DISK_CATEGORY",
    phase=Phase.PARAMETERS,
    statement="Every dataDisks entry is a cloud disk (diskCategory cloud, the default).",
    source=sdk_doc("createImage: 默认情况下，制作的镜像中包括数据盘中的云硬盘（制作快照），但是不包含本地数据盘"),
    field="dataDisks",
)
def create_image_data_disk_category(ctx: InstanceCtx[CreateImageRequest]) -> Findings:
    return [Finding(f"dataDisks.{i}.diskCategory is {s.diskCategory!r}; an image's data disks are cloud disks",
                    f"dataDisks.{i}.diskCategory")
            for i, s in _specs(ctx) if s.diskCategory is not None and s.diskCategory != "cloud"]


@rule(
    "CREATE_IMAGE.DATA_DISK_DEVICE_NAME",
    phase=Phase.PARAMETERS,
    statement="Every dataDisks entry names the data disk it is about with a deviceName vdb to vdz.",
    source=CREATE_IMAGE_DATA_DISKS,
    field="dataDisks",
)
def create_image_device_name(ctx: InstanceCtx[CreateImageRequest]) -> Findings:
    found = []
    for i, s in _specs(ctx):
        if s.deviceName is None:
            found.append(Finding(f"dataDisks.{i}.deviceName is required: it names the data disk to keep, drop, "
                                 "replace or add", f"dataDisks.{i}.deviceName"))
        elif not _DATA_DEVICE.fullmatch(s.deviceName):
            found.append(Finding(f"dataDisks.{i}.deviceName {s.deviceName!r} is not a data disk device name "
                                 "(vdb to vdz)", f"dataDisks.{i}.deviceName"))
    return found


@rule(
    "CREATE_IMAGE.DATA_DISK_DEVICE_UNIQUE",
    phase=Phase.PARAMETERS,
    statement="No two dataDisks entries name the same deviceName.",
    source=inferred("each entry decides the fate of one device; two entries for one device contradict"),
    field="dataDisks",
)
def create_image_device_unique(ctx: InstanceCtx[CreateImageRequest]) -> Findings:
    seen: set[str] = set()
    found = []
    for i, s in _specs(ctx):
        if s.deviceName is None:
            continue
        if s.deviceName in seen:
            found.append(Finding(f"dataDisks.{i}.deviceName {s.deviceName!r} is named twice",
                                 f"dataDisks.{i}.deviceName"))
        seen.add(s.deviceName)
    return found


@rule(
    "CREATE_IMAGE.DATA_DISK_SPEC",
    phase=Phase.PARAMETERS,
    statement="A dataDisks entry's cloudDiskSpec has diskType ssd (20–1000 GB) or premium-hdd (20–3000 GB), "
    "in steps of 10 GB.",
    source=inferred("an image's data disks become data disks of the instances created from it, so they follow "
                    "the seed's data-disk types and sizes of createInstances"),
    field="dataDisks",
)
def create_image_disk_spec(ctx: InstanceCtx[CreateImageRequest]) -> Findings:
    found = []
    for i, s in _specs(ctx):
        spec = s.cloudDiskSpec
        if spec is None or s.noDevice:
            continue
        path = f"dataDisks.{i}.cloudDiskSpec"
        if spec.diskType is not None and spec.diskType not in DATA_DISK_SIZES:
            found.append(Finding(f"{path}.diskType {spec.diskType!r} is not ssd or premium-hdd", f"{path}.diskType"))
            continue
        if spec.diskSizeGB is None:
            continue
        low, high = DATA_DISK_SIZES[spec.diskType or "ssd"]
        if not low <= spec.diskSizeGB <= high or spec.diskSizeGB % DATA_DISK_STEP:
            found.append(Finding(f"{path}.diskSizeGB is {spec.diskSizeGB}; {spec.diskType or 'ssd'} disks take "
                                 f"{low} to {high} GB in steps of {DATA_DISK_STEP}", f"{path}.diskSizeGB"))
    return found


@rule(
    "CREATE_IMAGE.DATA_DISK_SNAPSHOT_EXISTS",
    phase=Phase.EXISTENCE,
    statement="A snapshotId in dataDisks names one of the caller's snapshots in the region.",
    source=inferred("a snapshot of another account or region is not found"),
    field="dataDisks",
)
def create_image_snapshot_exists(ctx: InstanceCtx[CreateImageRequest]) -> Findings:
    found = []
    for i, s in _specs(ctx):
        sid = s.cloudDiskSpec.snapshotId if s.cloudDiskSpec is not None else None
        if sid is None or s.noDevice:
            continue
        if ctx.world.snapshot(ctx.caller, ctx.region, sid) is None:
            found.append(Finding(f"snapshot {sid!r} not found in region {ctx.region}",
                                 f"dataDisks.{i}.cloudDiskSpec.snapshotId"))
    return found


@rule(
    "CREATE_IMAGE.DATA_DISK_NO_DEVICE_ATTACHED",
    phase=Phase.COMPATIBILITY,
    statement="A dataDisks entry with noDevice names a data disk attached to the instance.",
    source=seed("在此之上可选择全部或部分挂载数据盘制作整机镜像"),
    field="dataDisks",
)
def create_image_no_device_attached(ctx: InstanceCtx[CreateImageRequest]) -> Findings:
    inst = ctx.instance
    if inst is None:
        return None
    attached = _attached(inst)
    return [Finding(f"dataDisks.{i}.deviceName {s.deviceName!r} is not a data disk of instance "
                    f"{inst.instance_id} (it has: {', '.join(sorted(attached)) or 'none'}); nothing to drop",
                    f"dataDisks.{i}.deviceName")
            for i, s in _specs(ctx)
            if s.noDevice and s.deviceName is not None and s.deviceName not in attached]


@rule(
    "CREATE_IMAGE.DATA_DISK_NEW_NEEDS_SPEC",
    phase=Phase.COMPATIBILITY,
    statement="A dataDisks entry adding a disk (a deviceName the instance does not have) gives a cloudDiskSpec "
    "with a snapshotId or both diskType and diskSizeGB.",
    source=CREATE_IMAGE_DATA_DISKS,
    field="dataDisks",
)
def create_image_new_needs_spec(ctx: InstanceCtx[CreateImageRequest]) -> Findings:
    inst = ctx.instance
    if inst is None:
        return None
    attached = _attached(inst)
    found = []
    for i, s in _specs(ctx):
        if s.noDevice or s.deviceName is None or s.deviceName in attached:
            continue
        spec = s.cloudDiskSpec
        if spec is None or (spec.snapshotId is None and (spec.diskType is None or spec.diskSizeGB is None)):
            found.append(Finding(f"dataDisks.{i} adds disk {s.deviceName!r}, which instance {inst.instance_id} "
                                 "does not have: give cloudDiskSpec with a snapshotId or diskType and diskSizeGB",
                                 f"dataDisks.{i}.cloudDiskSpec"))
    return found


@rule(
    "CREATE_IMAGE.DATA_DISK_LIMIT",
    phase=Phase.COMPATIBILITY,
    statement="The image carries at most 7 data disks when the instance's system disk is cloud, 8 when local.",
    source=inferred("an instance created from the image must be able to hold its data disks (seed, "
                    "createInstances: local 8, cloud 7)"),
    field="dataDisks",
)
def create_image_data_disk_limit(ctx: InstanceCtx[CreateImageRequest]) -> Findings:
    inst = ctx.instance
    if inst is None or not ctx.req.dataDisks:
        return None
    limit = DATA_DISKS_MAX_LOCAL if inst.system_disk.category == "local" else DATA_DISKS_MAX_CLOUD
    count = len(plan_data_disks(ctx.world, ctx.caller, inst, ctx.req.dataDisks))
    if count <= limit:
        return None
    return Finding(f"the image would carry {count} data disks; an image of an instance with a "
                   f"{inst.system_disk.category} system disk can carry at most {limit}")


@rule(
    "CREATE_IMAGE.QUOTA",
    phase=Phase.QUOTA,
    statement="The account's image quota in the region allows one more private image.",
    source=api_2018("createImage may return 429 QUOTA_EXCEEDED (image quota)"),
)
def create_image_quota(ctx: InstanceCtx[CreateImageRequest]) -> Findings:
    return _image_quota(ctx.world, ctx.caller, ctx.region, 1)


def _image_quota(world: World, caller: str, region: str, adding: int) -> Findings:
    account = world.account(caller)
    if account is None:
        return None
    limit = account.quota("image")
    used = world.used(caller, region, "image")
    if used + adding <= limit:
        return None
    return Finding(f"image quota in {region} is {limit} and {used} are used; {adding} more would exceed it")


def _create_image(ctx: InstanceCtx[CreateImageRequest]) -> tuple[World, JSON]:
    inst = ctx.instance
    assert inst is not None  # rules guarantee it
    world = ctx.world
    image_id, world = world.new_id("img-")
    base = world.images.get(inst.image_id)
    platform, os_type, os_version, arch = ("", "linux", "", "x86_64")
    if base is not None:
        platform, os_type, os_version, arch = base.platform, base.os_type, base.os_version, base.architecture
    snapshot_id: str | None = None
    if inst.system_disk.category == "cloud":
        sys_disk = world.disks.get(inst.system_disk.disk_id or "")
        sys_type, sys_size = (sys_disk.disk_type, sys_disk.size_gb) if sys_disk else ("ssd", 40)
        snapshot_id, world = _new_snapshot(world, owner=ctx.caller, region=ctx.region, disk_type=sys_type,
                                           size_gb=sys_size, source_disk_id=inst.system_disk.disk_id,
                                           image_id=image_id)
        root = "cloudDisk"
    else:
        sys_size = inst.system_disk.local_size_gb
        root = "localDisk"
    disks: list[ImageDisk] = []
    for p in plan_data_disks(world, ctx.caller, inst, ctx.req.dataDisks):
        sid = p.snapshot_id
        if p.disk_id is not None:
            sid, world = _new_snapshot(world, owner=ctx.caller, region=ctx.region, disk_type=p.disk_type,
                                       size_gb=p.size_gb, source_disk_id=p.disk_id, image_id=image_id)
        disks.append(ImageDisk(p.device_name, p.disk_type, p.size_gb, sid))
    image = Image(
        image_id, ctx.caller, ctx.region, ctx.req.name, "private", platform, _os_type(os_type), os_version,
        root, sys_size, "pending", arch, world.clock, sys_size * 1024, ctx.req.description or "",  # type: ignore[arg-type]
        snapshot_id, tuple(disks), (), None, inst.instance_id, "0%",
    )
    world = _set_image(world, image).add_usage(ctx.caller, ctx.region, "image", 1)
    return world.with_task(image_id, "createImage"), {"imageId": image_id}


def _os_type(value: str) -> OsType:
    return "windows" if value == "windows" else "linux"


CREATE_IMAGE = Operation[CreateImageRequest, InstanceCtx[CreateImageRequest]](
    name="createImage",
    method="POST",
    path="/regions/{regionId}/instances/{instanceId}:createImage",
    summary="为云主机创建私有镜像。云主机状态必须为stopped。云主机没有正在进行中的任务才可制作镜像。",
    request=CreateImageRequest,
    context=instance_context,
    rules=(
        region_exists,
        name_rule("CREATE_IMAGE.NAME", lambda r: r.name, "name",
                  api_2018("createImage name: 公共参数规范 (public parameter name rule)")),
        description_rule("CREATE_IMAGE.DESCRIPTION", lambda r: r.description, "description",
                         sdk_doc("createImage description: 镜像描述。256字符以内")),
        create_image_data_disk_category,
        create_image_device_name,
        create_image_device_unique,
        create_image_disk_spec,
        instance_exists,
        create_image_snapshot_exists,
        create_image_no_device_attached,
        create_image_new_needs_spec,
        create_image_data_disk_limit,
        instance_status_in("CREATE_IMAGE.STATUS_STOPPED", ["stopped"], "云主机状态必须为<b>stopped</b>"),
        instance_idle("CREATE_IMAGE.NO_TASK", "云主机没有正在进行中的任务才可制作镜像"),
        create_image_quota,
    ),
    apply=_create_image,
)


# ---- deleteImage ------------------------------------------------------------------------------------


class DeleteImageRequest(ImageRequest):
    deleteSnapshot: bool | None = None


@rule(
    "DELETE_IMAGE.NOT_SHARED",
    phase=Phase.STATE,
    statement="An image shared with other accounts cannot be deleted until every share is cancelled.",
    source=seed("若镜像已共享给其他用户，需先取消共享才可删除"),
    field="imageId",
)
def delete_image_not_shared(ctx: ImageCtx) -> Findings:
    image = ctx.image
    if image is None or not image.shared_with:
        return None
    return Finding(f"image {image.image_id} is shared with {len(image.shared_with)} account(s); unshare it "
                   "(unShareImage) before deleting it")


delete_image_no_task: Rule[ImageCtx] = no_task_rule(
    "DELETE_IMAGE.NO_TASK", "image", "imageId", resolved=attrgetter("image"), resource_id=attrgetter("image_id"),
    statement="An image with a task in progress (being created, copied or deleted) cannot be deleted.",
    source=sdk_doc("deleteImage: 私有镜像没有正在处理中的任务时才可以删除"),
)


@rule(
    "DELETE_IMAGE.LOCAL_IMAGE_IN_USE",
    phase=Phase.STATE,
    statement="A localDisk image cannot be deleted while instances created from it exist.",
    source=sdk_doc("deleteImage: 本地系统盘镜像在有基于其创建的云主机时，将无法删除"),
    field="imageId",
)
def delete_image_local_in_use(ctx: ImageCtx) -> Findings:
    image = ctx.image
    if image is None or image.root_device_type != "localDisk":
        return None
    # A rule may scan: only localDisk images pay for it, and only when deleting one.
    users = sorted(i.instance_id for i in ctx.world.instances.values() if i.image_id == image.image_id)
    if not users:
        return None
    shown = ", ".join(users[:5]) + (", ..." if len(users) > 5 else "")
    return Finding(f"image {image.image_id} is a localDisk image and {len(users)} instance(s) use it ({shown})")


def _delete_image(ctx: ImageCtx) -> tuple[World, JSON]:
    image = ctx.image
    assert image is not None  # rules guarantee it
    world = _set_image(ctx.world, replace(image, status="deleting"))
    ref = "deleteSnapshot" if ctx.req.deleteSnapshot else None
    return world.with_task(image.image_id, "deleteImage", ref), {}


def _finish_delete(world: World, task: Task) -> World:
    """The image is gone; its snapshots are deleted (deleteSnapshot) or unlinked from it."""
    image = world.images.get(task.resource_id)
    if image is None:
        return world
    for sid in list(_image_snapshot_ids(world, image)):
        if task.ref == "deleteSnapshot":
            world = world.evolve(snapshots=world.snapshots.delete(sid))
        else:
            world = world.evolve(snapshots=world.snapshots.set(sid, replace(world.snapshots[sid], image_id=None)))
    world = world.evolve(images=world.images.delete(image.image_id))
    if image.source == "private":
        world = world.add_usage(image.owner, image.region, "image", -1)
    return world


DELETE_IMAGE = Operation[DeleteImageRequest, ImageCtx](
    name="deleteImage",
    method="DELETE",
    path="/regions/{regionId}/images/{imageId}",
    summary="删除一个私有镜像，只允许操作您的个人私有镜像。若镜像已共享给其他用户，需先取消共享才可删除。",
    request=DeleteImageRequest,
    context=image_context,
    rules=(
        region_exists,
        image_exists,
        own_private_rule("DELETE_IMAGE.OWN_PRIVATE", "删除一个私有镜像，只允许操作您的个人私有镜像", "deleted"),
        delete_image_not_shared,
        delete_image_no_task,
        delete_image_local_in_use,
    ),
    apply=_delete_image,
)


# ---- copyImages -------------------------------------------------------------------------------------


class CopyImagesRequest(Request):
    sourceImageIds: list[str]
    destinationRegion: str
    name: str | None = None
    description: str | None = None


@dataclass(slots=True)
class CopyCtx(Ctx[CopyImagesRequest]):
    """``sources``: each requested id with the image the caller can see (None when it cannot)."""

    sources: list[tuple[str, Image | None]]


def _copy_context(world: World, caller: str, req: CopyImagesRequest) -> CopyCtx:
    return CopyCtx(world, caller, req, [(i, world.image(caller, req.regionId, i)) for i in req.sourceImageIds])


@rule(
    "COPY_IMAGES.IDS_COUNT",
    phase=Phase.PARAMETERS,
    statement=f"sourceImageIds lists 1 to {COPY_IMAGES_MAX} image ids.",
    source=sdk_doc("copyImages sourceImageIds: 要复制的私有镜像ID列表，最多支持10个"),
    field="sourceImageIds",
)
def copy_ids_count(ctx: CopyCtx) -> Findings:
    n = len(ctx.req.sourceImageIds)
    if 1 <= n <= COPY_IMAGES_MAX:
        return None
    return Finding(f"sourceImageIds has {n} ids; allowed 1 to {COPY_IMAGES_MAX}")


@rule(
    "COPY_IMAGES.IDS_UNIQUE",
    phase=Phase.PARAMETERS,
    statement="sourceImageIds names each image at most once.",
    source=inferred("the result maps each source id to one copy; a repeated id would be ambiguous"),
    field="sourceImageIds",
)
def copy_ids_unique(ctx: CopyCtx) -> Findings:
    seen: set[str] = set()
    found = []
    for i, image_id in enumerate(ctx.req.sourceImageIds):
        if image_id in seen:
            found.append(Finding(f"sourceImageIds.{i} {image_id!r} is listed twice", f"sourceImageIds.{i}"))
        seen.add(image_id)
    return found


@rule(
    "COPY_IMAGES.DESTINATION_EXISTS",
    phase=Phase.PARAMETERS,
    statement="destinationRegion names a region of the world.",
    source=inferred("images are copied into an existing region"),
    field="destinationRegion",
)
def copy_destination_exists(ctx: CopyCtx) -> Findings:
    if ctx.req.destinationRegion in ctx.world.regions:
        return None
    known = ", ".join(sorted(ctx.world.regions))
    return Finding(f"destinationRegion {ctx.req.destinationRegion!r} is not a region (known: {known})")


@rule(
    "COPY_IMAGES.OTHER_REGION",
    phase=Phase.PARAMETERS,
    statement="destinationRegion differs from the source region (regionId).",
    source=seed("镜像跨区复制，将私有镜像复制到其它地域下"),
    field="destinationRegion",
)
def copy_other_region(ctx: CopyCtx) -> Findings:
    if ctx.req.destinationRegion != ctx.req.regionId:
        return None
    return Finding(f"destinationRegion {ctx.req.destinationRegion!r} is the source region; copyImages copies "
                   "images to another region")


@rule(
    "COPY_IMAGES.IMAGE_EXISTS",
    phase=Phase.EXISTENCE,
    statement="Every source image exists in the region and the caller can see it.",
    source=inferred("an image the caller cannot see is not found"),
    field="sourceImageIds",
)
def copy_image_exists(ctx: CopyCtx) -> Findings:
    if ctx.req.regionId not in ctx.world.regions:
        return None
    return [Finding(f"image {image_id!r} not found in region {ctx.req.regionId}", f"sourceImageIds.{i}")
            for i, (image_id, image) in enumerate(ctx.sources) if image is None]


@rule(
    "COPY_IMAGES.CLOUD_DISK_ONLY",
    phase=Phase.COMPATIBILITY,
    statement="Only images whose rootDeviceType is cloudDisk can be copied.",
    source=seed("只支持rootDeviceType为cloudDisk的云硬盘系统盘镜像操作"),
    field="sourceImageIds",
)
def copy_cloud_disk_only(ctx: CopyCtx) -> Findings:
    return [Finding(f"image {image.image_id} has rootDeviceType {image.root_device_type}; only cloudDisk images "
                    "can be copied", f"sourceImageIds.{i}")
            for i, (_, image) in enumerate(ctx.sources)
            if image is not None and image.root_device_type != "cloudDisk"]


@rule(
    "COPY_IMAGES.OWN_PRIVATE",
    phase=Phase.PERMISSION,
    statement="Only the caller's own private images can be copied.",
    source=seed("将私有镜像复制到其它地域下，只允许操作您的个人私有镜像"),
    field="sourceImageIds",
)
def copy_own_private(ctx: CopyCtx) -> Findings:
    return [Finding(f"image {image.image_id} is {image_kind(ctx.caller, image)}; only your own private images "
                    "can be copied", f"sourceImageIds.{i}")
            for i, (_, image) in enumerate(ctx.sources)
            if image is not None and not own_private(ctx.caller, image)]


@rule(
    "COPY_IMAGES.SOURCE_READY",
    phase=Phase.STATE,
    statement="Every source image is ready.",
    source=seed("调用接口后，需要等待镜像状态变为<b>ready</b>后，才能正常使用镜像"),
    field="sourceImageIds",
)
def copy_source_ready(ctx: CopyCtx) -> Findings:
    return [Finding(f"image {image.image_id} is {image.status}; only a ready image can be copied",
                    f"sourceImageIds.{i}")
            for i, (_, image) in enumerate(ctx.sources)
            if image is not None and image.status != "ready"]


@rule(
    "COPY_IMAGES.QUOTA",
    phase=Phase.QUOTA,
    statement="The account's image quota in the destination region allows the copies.",
    source=inferred("copies are private images of the caller in the destination region, counted against its "
                    "image quota there like createImage's"),
)
def copy_quota(ctx: CopyCtx) -> Findings:
    if ctx.req.destinationRegion not in ctx.world.regions:
        return None
    return _image_quota(ctx.world, ctx.caller, ctx.req.destinationRegion, len(ctx.req.sourceImageIds))


def _copy_images(ctx: CopyCtx) -> tuple[World, JSON]:
    world = ctx.world
    dest = ctx.req.destinationRegion
    pairs = []
    for source_id, image in ctx.sources:
        assert image is not None  # rules guarantee it
        new_id, world = world.new_id("img-")
        snapshot_id: str | None = None
        if image.snapshot_id is not None:
            snapshot_id, world = _new_snapshot(world, owner=ctx.caller, region=dest, disk_type=_snap_type(world, image),
                                               size_gb=image.system_disk_size_gb, source_disk_id=None,
                                               image_id=new_id)
        disks = []
        for d in image.data_disks:
            sid = None
            if d.snapshot_id is not None:
                sid, world = _new_snapshot(world, owner=ctx.caller, region=dest, disk_type=d.disk_type,
                                           size_gb=d.size_gb, source_disk_id=None, image_id=new_id)
            disks.append(replace(d, snapshot_id=sid))
        copy = replace(
            image, image_id=new_id, region=dest, name=ctx.req.name or image.name,
            desc=image.desc if ctx.req.description is None else ctx.req.description, status="pending",
            create_time=world.clock, snapshot_id=snapshot_id, data_disks=tuple(disks), shared_with=(),
            constraint=None, progress="0%",
        )
        world = _set_image(world, copy).add_usage(ctx.caller, dest, "image", 1)
        world = world.with_task(new_id, "copyImage", source_id)
        pairs.append({"sourceImageId": source_id, "destinationImageId": new_id})
    return world, {"copyImages": pairs}


def _snap_type(world: World, image: Image) -> str:
    snap = world.snapshots.get(image.snapshot_id or "")
    return snap.disk_type if snap is not None else "ssd"


COPY_IMAGES = Operation[CopyImagesRequest, CopyCtx](
    name="copyImages",
    method="POST",
    path="/regions/{regionId}/images:copyImages",
    summary="镜像跨区复制，将私有镜像复制到其它地域下，只允许操作您的个人私有镜像。只支持rootDeviceType为cloudDisk的云硬盘系统盘镜像操作。",
    request=CopyImagesRequest,
    context=_copy_context,
    rules=(
        region_exists,
        copy_ids_count,
        copy_ids_unique,
        copy_destination_exists,
        copy_other_region,
        name_rule("COPY_IMAGES.NAME", lambda r: r.name, "name",
                  sdk_doc("copyImages name: 复制出新镜像的名称 (公共参数规范 name rule)")),
        description_rule("COPY_IMAGES.DESCRIPTION", lambda r: r.description, "description",
                         sdk_doc("copyImages description: 复制出新镜像的描述，不超过256个字符")),
        copy_image_exists,
        copy_cloud_disk_only,
        copy_own_private,
        copy_source_ready,
        copy_quota,
    ),
    apply=_copy_images,
)


# ---- shareImage / unShareImage ----------------------------------------------------------------------


class ShareImageRequest(ImageRequest):
    """``pins`` and ``loginNames`` both name accounts (in vmrules an account's login name is its pin)."""

    pins: list[str] | None = None
    loginNames: list[str] | None = None


def targets(req: ShareImageRequest) -> list[tuple[str, str]]:
    """(field path, pin) for every account named, pins first."""
    return ([(f"pins.{i}", p) for i, p in enumerate(req.pins or ())]
            + [(f"loginNames.{i}", p) for i, p in enumerate(req.loginNames or ())])


def accounts_given_rule(rule_id: str, verb: str) -> Rule[ImageCtx]:
    def check(ctx: ImageCtx) -> Findings:
        if targets(ctx.req):
            return None
        return Finding(f"name at least one account in pins (or loginNames) to {verb}")

    return Rule(rule_id, Phase.PARAMETERS, f"pins or loginNames names at least one account to {verb}.",
                inferred(f"a {verb} request without accounts has nothing to do and is most likely a mistake"),
                "pins", check)


def accounts_exist_rule(rule_id: str) -> Rule[ImageCtx]:
    def check(ctx: ImageCtx) -> Findings:
        return [Finding(f"{path} {pin!r} is not an account", path)
                for path, pin in targets(ctx.req) if pin not in ctx.world.accounts]

    return Rule(rule_id, Phase.EXISTENCE, "Every account named in pins or loginNames exists.",
                inferred("an unknown account is a missing resource (NOT_FOUND), named by its position"),
                "pins", check)


@rule(
    "SHARE_IMAGE.NOT_SELF",
    phase=Phase.PARAMETERS,
    statement="An image cannot be shared with the caller itself.",
    source=sdk_doc("shareImage: 单个镜像最多可以共享给20个京东云帐户、不可以共享给自己"),
    field="pins",
)
def share_not_self(ctx: ImageCtx) -> Findings:
    return [Finding(f"{path} {pin!r} is the caller; an image cannot be shared with yourself", path)
            for path, pin in targets(ctx.req) if pin == ctx.caller]


@rule(
    "SHARE_IMAGE.NOT_WHOLE_MACHINE",
    phase=Phase.COMPATIBILITY,
    statement="A whole-machine image (one that carries data disks) cannot be shared.",
    source=seed("整机镜像目前不支持共享"),
    field="imageId",
)
def share_not_whole_machine(ctx: ImageCtx) -> Findings:
    image = ctx.image
    if image is None or not image.whole_machine:
        return None
    return Finding(f"image {image.image_id} is a whole-machine image ({len(image.data_disks)} data disk(s)); "
                   "whole-machine images cannot be shared")


share_ready: Rule[ImageCtx] = image_ready_rule(
    "SHARE_IMAGE.READY", "imageId", "shared", resolved=attrgetter("image"),
    statement="Only a ready image can be shared.",
    source=seed("调用接口后，需要等待镜像状态变为<b>ready</b>后，才能正常使用镜像"),
)


@rule(
    "SHARE_IMAGE.MEMBER_LIMIT",
    phase=Phase.STATE,
    statement="An image is shared with at most 20 accounts in total; a request that would pass 20 shares "
    "nothing.",
    source=seed("单个镜像最多可共享给20个京东云帐户"),
    field="pins",
)
def share_member_limit(ctx: ImageCtx) -> Findings:
    image = ctx.image
    if image is None:
        return None
    limit = image_share_limit(ctx.world, image.owner)
    members = set(image.shared_with) | {pin for _, pin in targets(ctx.req)}
    if len(members) <= limit:
        return None
    new = len(members) - len(image.shared_with)
    return Finding(f"image {image.image_id} is shared with {len(image.shared_with)} account(s); sharing with "
                   f"{new} more would pass the limit of {limit}")


def _share(ctx: ImageCtx) -> tuple[World, JSON]:
    image = ctx.image
    assert image is not None  # rules guarantee it
    members = list(image.shared_with)
    for _, pin in targets(ctx.req):
        if pin not in members:
            members.append(pin)
    return _set_image(ctx.world, replace(image, shared_with=tuple(members))), {}


def _unshare(ctx: ImageCtx) -> tuple[World, JSON]:
    image = ctx.image
    assert image is not None  # rules guarantee it
    gone = {pin for _, pin in targets(ctx.req)}
    members = tuple(p for p in image.shared_with if p not in gone)
    return _set_image(ctx.world, replace(image, shared_with=members)), {}


SHARE_IMAGE = Operation[ShareImageRequest, ImageCtx](
    name="shareImage",
    method="POST",
    path="/regions/{regionId}/images/{imageId}:share",
    summary="共享镜像，只允许操作您的个人私有镜像，单个镜像最多可共享给20个京东云帐户。整机镜像目前不支持共享。",
    request=ShareImageRequest,
    context=image_context,
    rules=(
        region_exists,
        accounts_given_rule("SHARE_IMAGE.ACCOUNTS_GIVEN", "share with"),
        share_not_self,
        image_exists,
        accounts_exist_rule("SHARE_IMAGE.ACCOUNTS_EXIST"),
        share_not_whole_machine,
        own_private_rule("SHARE_IMAGE.OWN_PRIVATE", "共享镜像，只允许操作您的个人私有镜像", "shared"),
        share_ready,
        share_member_limit,
    ),
    apply=_share,
)

UNSHARE_IMAGE = Operation[ShareImageRequest, ImageCtx](
    name="unShareImage",
    method="POST",
    path="/regions/{regionId}/images/{imageId}:unshare",
    summary="取消共享镜像，只允许操作您的个人私有镜像。",
    request=ShareImageRequest,
    context=image_context,
    rules=(
        region_exists,
        accounts_given_rule("UNSHARE_IMAGE.ACCOUNTS_GIVEN", "stop sharing with"),
        image_exists,
        accounts_exist_rule("UNSHARE_IMAGE.ACCOUNTS_EXIST"),
        own_private_rule("UNSHARE_IMAGE.OWN_PRIVATE", "取消共享镜像，只允许操作您的个人私有镜像", "unshared"),
    ),
    apply=_unshare,
)


# ---- modifyImageAttribute ---------------------------------------------------------------------------


class ModifyImageAttributeRequest(ImageRequest):
    name: str | None = None
    description: str | None = None


def _modify(ctx: ImageCtx) -> tuple[World, JSON]:
    image = ctx.image
    assert image is not None  # rules guarantee it
    req: ModifyImageAttributeRequest = ctx.req
    changed = replace(image, name=image.name if req.name is None else req.name,
                      desc=image.desc if req.description is None else req.description)
    return _set_image(ctx.world, changed), {}


MODIFY_IMAGE_ATTRIBUTE = Operation[ModifyImageAttributeRequest, ImageCtx](
    name="modifyImageAttribute",
    method="POST",
    path="/regions/{regionId}/images/{imageId}:modifyImageAttribute",
    summary="修改镜像信息，包括名称、描述；只允许操作您的个人私有镜像。",
    request=ModifyImageAttributeRequest,
    context=image_context,
    rules=(
        region_exists,
        name_rule("MODIFY_IMAGE_ATTRIBUTE.NAME", lambda r: r.name, "name",
                  sdk_doc("modifyImageAttribute name: 镜像名称。参考 公共参数规范")),
        description_rule("MODIFY_IMAGE_ATTRIBUTE.DESCRIPTION", lambda r: r.description, "description",
                         sdk_doc("modifyImageAttribute description: 镜像描述。参考 公共参数规范")),
        image_exists,
        own_private_rule("MODIFY_IMAGE_ATTRIBUTE.OWN_PRIVATE",
                         "修改镜像信息，包括名称、描述；只允许操作您的个人私有镜像", "modified"),
    ),
    apply=_modify,
)


OPERATIONS = (CREATE_IMAGE, DELETE_IMAGE, COPY_IMAGES, SHARE_IMAGE, UNSHARE_IMAGE, MODIFY_IMAGE_ATTRIBUTE)
COMPLETIONS: dict[str, Completion] = {
    "createImage": _finish_image,
    "copyImage": _finish_image,
    "deleteImage": _finish_delete,
}
