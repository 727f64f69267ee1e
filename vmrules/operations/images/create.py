"""createImage: an instance's system disk and chosen data disks become a pending private image (planning the
image's data disks from dataDisks, the rules on them, and the transition)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from vmrules.effects import StatusChange, default, effect, status
from vmrules.model import Disk, Image, ImageDisk, Instance
from vmrules.operation import Operation
from vmrules.operations.common import (
    InstanceCtx,
    InstanceRequest,
    instance_context,
    instance_exists,
    instance_idle,
    instance_status_in,
    listed_exist_rule,
    region_exists,
)
from vmrules.operations.data_disks import DEVICE_NAME_RANGE, DEVICE_NAME_SOURCE, valid_device_name
from vmrules.operations.images.common import JSON, hold_sources, image_quota, new_snapshot, set_image
from vmrules.operations.params import GENERAL_PARAMETERS, description_rule, name_rule
from vmrules.rules import Finding, Findings, Phase, Rule, guide, inferred, rule, sdk_doc, seed
from vmrules.world import World

# The data-disk limits of an instance (seed, createInstances): an image cannot carry more than an instance
# created from it could hold.
DATA_DISKS_MAX_LOCAL = 8
DATA_DISKS_MAX_CLOUD = 7
# Data-disk types and sizes an image's new data disks may have (seed, createInstances).
DATA_DISK_SIZES: dict[str, tuple[int, int]] = {"ssd": (20, 1000), "premium-hdd": (20, 3000)}
DATA_DISK_STEP = 10


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
        disk = world.disks.get(disk_id)
        if spec is not None and spec.cloudDiskSpec is not None:
            planned.append(_from_spec(world, caller, device, spec.cloudDiskSpec, disk))
            continue
        planned.append(PlannedDisk(device, disk_id, disk.disk_type if disk else "ssd",
                                   disk.size_gb if disk else 20, None))
    for device, spec in by_device.items():
        if device in attached or spec.noDevice or spec.cloudDiskSpec is None:
            continue
        planned.append(_from_spec(world, caller, device, spec.cloudDiskSpec))
    return sorted(planned, key=lambda p: p.device_name)


def _from_spec(world: World, caller: str, device: str, spec: ImageCloudDiskSpec,
               replaced: Disk | None = None) -> PlannedDisk:
    """A disk from a ``cloudDiskSpec``: what the spec names, the rest from its snapshot, else from the disk it
    replaces (a spec that names only a new type keeps the replaced disk's size; docs/decisions/images.md)."""
    found = world.snapshots.get(spec.snapshotId) if spec.snapshotId is not None else None
    snap = found if found is not None and found.owner == caller else None
    base_type, base_size = (snap.disk_type, snap.size_gb) if snap else (
        (replaced.disk_type, replaced.size_gb) if replaced else ("ssd", 20))
    return PlannedDisk(device, None, spec.diskType or base_type, spec.diskSizeGB or base_size, spec.snapshotId)


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
    statement=f"Every dataDisks entry names the data disk it is about with a deviceName {DEVICE_NAME_RANGE}.",
    source=DEVICE_NAME_SOURCE,
    field="dataDisks",
)
def create_image_device_name(ctx: InstanceCtx[CreateImageRequest]) -> Findings:
    found = []
    for i, s in _specs(ctx):
        if s.deviceName is None:
            found.append(Finding(f"dataDisks.{i}.deviceName is required: it names the data disk to keep, drop, "
                                 "replace or add", f"dataDisks.{i}.deviceName"))
        elif not valid_device_name(s.deviceName):
            found.append(Finding(f"dataDisks.{i}.deviceName {s.deviceName!r} is not a data disk device name "
                                 f"({DEVICE_NAME_RANGE})", f"dataDisks.{i}.deviceName"))
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


create_image_snapshot_exists: Rule[InstanceCtx[CreateImageRequest]] = listed_exist_rule(
    "CREATE_IMAGE.DATA_DISK_SNAPSHOT_EXISTS", "snapshot", "dataDisks",
    lambda ctx: [(f"dataDisks.{i}.cloudDiskSpec.snapshotId", s.cloudDiskSpec.snapshotId) for i, s in _specs(ctx)
                 if s.cloudDiskSpec is not None and s.cloudDiskSpec.snapshotId is not None and not s.noDevice],
    World.snapshot,
    statement="A snapshotId in dataDisks names one of the caller's snapshots in the region.",
    source=inferred("a snapshot of another account or region is not found"), region_checked=False,
)


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


def snapshotted_disks(world: World, caller: str, inst: Instance, specs: list[ImageDataDiskSpec] | None,
                      ) -> list[str]:
    """The ids of the instance's disks the image snapshots: the cloud system disk, then every attached data
    disk the image keeps (disks absent from the world are left out)."""
    ids = [inst.system_disk.disk_id] if inst.system_disk.category == "cloud" else []
    ids += [p.disk_id for p in plan_data_disks(world, caller, inst, specs)]
    return [i for i in ids if i is not None and i in world.disks]


@rule(
    "CREATE_IMAGE.DISKS_NO_TASK",
    phase=Phase.STATE,
    statement="No disk the image snapshots (the cloud system disk, every data disk kept) has a task in progress.",
    source=inferred("making the image keeps each snapshotted disk busy until the image is ready; a disk that is "
                    "busy already (a multi-attach disk attaching to another instance, or snapshotted for another "
                    "image) cannot be snapshotted until that task completes"),
    field="instanceId",
)
def create_image_disks_no_task(ctx: InstanceCtx[CreateImageRequest]) -> Findings:
    inst = ctx.instance
    if inst is None:
        return None
    return [Finding(f"disk {disk_id} of instance {inst.instance_id} has a task in progress "
                    f"({ctx.world.tasks[disk_id].kind}); retry after it completes")
            for disk_id in snapshotted_disks(ctx.world, ctx.caller, inst, ctx.req.dataDisks)
            if disk_id in ctx.world.tasks]


@rule(
    "CREATE_IMAGE.QUOTA",
    phase=Phase.QUOTA,
    statement="The account's image quota in the region allows one more private image.",
    source=inferred("a private image counts against the account's image quota in the region (describeQuotas lists it)"),
)
def create_image_quota(ctx: InstanceCtx[CreateImageRequest]) -> Findings:
    return image_quota(ctx.world, ctx.caller, ctx.region, 1)


# effect: CREATE_IMAGE.CREATES, CREATE_IMAGE.WHOLE_MACHINE_DEFAULT, CREATE_IMAGE.SNAPSHOTS_LINKED
def _create_image(ctx: InstanceCtx[CreateImageRequest]) -> tuple[World, JSON]:
    inst = ctx.instance
    assert inst is not None  # rules guarantee it
    world = ctx.world
    image_id, world = world.new_id("img-")
    # The OS is the instance's own record (its image may be gone); the rest of the description its image's when
    # the image is still there, else unknown (docs/decisions/instance-os.md).
    base = world.images.get(inst.image_id)
    platform, os_version, arch = ("", "", "x86_64")
    if base is not None:
        platform, os_version, arch = base.platform, base.os_version, base.architecture
    snapshot_id: str | None = None
    if inst.system_disk.category == "cloud":
        sys_disk = world.disks.get(inst.system_disk.disk_id or "")
        sys_type, sys_size = (sys_disk.disk_type, sys_disk.size_gb) if sys_disk else ("ssd", 40)
        snapshot_id, world = new_snapshot(world, owner=ctx.caller, region=ctx.region, disk_type=sys_type,
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
            sid, world = new_snapshot(world, owner=ctx.caller, region=ctx.region, disk_type=p.disk_type,
                                       size_gb=p.size_gb, source_disk_id=p.disk_id, image_id=image_id)
        disks.append(ImageDisk(p.device_name, p.disk_type, p.size_gb, sid))
    image = Image(
        image_id, ctx.caller, ctx.region, ctx.req.name, "private", platform, inst.os_type, os_version,
        root, sys_size, "pending", arch, world.clock, sys_size * 1024, ctx.req.description or "",  # type: ignore[arg-type]
        snapshot_id, tuple(disks), (), None, inst.instance_id, "0%",
    )
    # The instance and every snapshotted disk stay busy until the image is ready (docs/decisions/images.md).
    sources = [inst.instance_id, *snapshotted_disks(ctx.world, ctx.caller, inst, ctx.req.dataDisks)]
    world = set_image(world, image).add_usage(ctx.caller, ctx.region, "image", 1)
    return hold_sources(world.with_task(image_id, "createImage"), image_id, sources), {"imageId": image_id}


CREATES_IMAGE = status(
    "CREATE_IMAGE.CREATES",
    "The new private image is pending until the task completes, then ready.",
    seed("调用接口后，需要等待镜像状态变为<b>ready</b>后，才能正常使用镜像。"),
    StatusChange("image", (), "pending", "ready", "createImage"),
)
WHOLE_MACHINE_DEFAULT = default(
    "CREATE_IMAGE.WHOLE_MACHINE_DEFAULT", "dataDisks", "every attached data disk",
    "Without dataDisks the image includes every attached data disk (a whole-machine image when there is one).",
    seed("如不做任何更改将默认制作整机镜像"),
)
SNAPSHOTS_LINKED = effect(
    "CREATE_IMAGE.SNAPSHOTS_LINKED", "change",
    "A snapshot of each included cloud disk (the system disk too) is taken and linked to the image.",
    seed("制作镜像过程会为所挂载云硬盘创建快照并与镜像关联。"),
)


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
                  guide(f"{GENERAL_PARAMETERS}: 名称")),
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
        create_image_disks_no_task,
        create_image_quota,
    ),
    apply=_create_image,
    effects=(CREATES_IMAGE, WHOLE_MACHINE_DEFAULT, SNAPSHOTS_LINKED),
)
