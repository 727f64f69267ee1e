"""Reconfiguring a stopped instance: resizeInstance (new instance type) and rebuildInstance (new system).

Both are asynchronous: stopped -> resizing / rebuilding -> stopped. The new instance type (with the
account's cpu and memory usage) and the new image id are recorded when the operation is accepted, so that
the world's usage counters always match its instances; ``settle`` only returns the instance to stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from operator import attrgetter
from typing import Any

from vmrules.clock import year_of
from vmrules.effects import StatusChange, default, effect, status
from vmrules.ids import password_digest
from vmrules.model import Image, Instance, InstanceType, OsType
from vmrules.operation import Operation
from vmrules.operations.common import (
    Completion,
    InstanceCtx,
    InstanceRequest,
    begin_instance_task,
    exists_rule,
    finish_instance_task,
    image_ready_rule,
    instance_charge_normal,
    instance_exists,
    instance_idle,
    instance_status_in,
    listed_exist_rule,
    region_exists,
)
from vmrules.operations.image_limits import image_os, sql_server_memory_rule, windows_cpu_rule
from vmrules.operations.network import nic_count
from vmrules.operations.params import (
    PASSWORD_SOURCE,
    hostname_rule,
    password_rule,
    windows_hostname_rule,
)
from vmrules.rules import Finding, Findings, Phase, Rule, inferred, rule, sdk_doc, seed
from vmrules.usage import instance_usage
from vmrules.world import World

JSON = dict[str, Any]

STATUS_STOPPED_QUOTE = "云主机的状态必须为<b>stopped</b>状态。"
NO_TASK_SOURCE = inferred("like every other state change, a resize or rebuild waits for the task in progress "
                          "(an attachment, say) to finish")
# Families that a local-system-disk instance may not move to ([SDK]): storage-optimised big-data types.
STORAGE_FAMILIES = ("s.d1", "s.d2")


# ---- resizeInstance ---------------------------------------------------------------------------------


class ResizeInstanceRequest(InstanceRequest):
    instanceType: str
    # [SDK]: wipe local data disks when needed. Accepted; the model has no local data disks to wipe.
    force: bool | None = None


@dataclass(slots=True)
class ResizeCtx(InstanceCtx[ResizeInstanceRequest]):
    """``current`` is the instance's type, ``target`` the requested one (None when unknown)."""

    current: InstanceType | None
    target: InstanceType | None


def _resize_context(world: World, caller: str, req: ResizeInstanceRequest) -> ResizeCtx:
    inst = world.instance(caller, req.regionId, req.instanceId)
    current = world.instance_type(inst.instance_type) if inst is not None else None
    return ResizeCtx(world, caller, req, inst, current, world.instance_type(req.instanceType))


def _generation_change(ctx: ResizeCtx) -> tuple[Instance, InstanceType, InstanceType] | None:
    """(instance, current type, target type) when the resize changes generation (1 <-> 2), else None."""
    inst, current, target = ctx.instance, ctx.current, ctx.target
    if inst is None or current is None or target is None or current.generation == target.generation:
        return None
    return inst, current, target


def _generation_message(inst: Instance, current: InstanceType, target: InstanceType, why: str) -> Finding:
    return Finding(f"instance {inst.instance_id} {why}; it cannot change generation: {current.instance_type} is "
                   f"generation {current.generation}, {target.instance_type} generation {target.generation}")


@rule(
    "RESIZE_INSTANCE.TYPE_EXISTS",
    phase=Phase.EXISTENCE,
    statement="instanceType names an instance type.",
    source=inferred("the target type must be one describeInstanceTypes lists; an unknown type is a missing "
                    "resource (NOT_FOUND), as in createInstances"),
    field="instanceType",
)
def resize_type_exists(ctx: ResizeCtx) -> Findings:
    if ctx.target is not None:
        return None
    return Finding(f"instance type {ctx.req.instanceType!r} not found; see describeInstanceTypes")


@rule(
    "RESIZE_INSTANCE.SAME_TYPE",
    phase=Phase.COMPATIBILITY,
    statement="The target type differs from the instance's current type.",
    source=inferred("resizing to the type the instance already has changes nothing and is reported as an error"),
    field="instanceType",
)
def resize_same_type(ctx: ResizeCtx) -> Findings:
    inst = ctx.instance
    if inst is None or inst.instance_type != ctx.req.instanceType:
        return None
    return Finding(f"instance {inst.instance_id} already has instance type {inst.instance_type}; choose another "
                   "type")


@rule(
    "RESIZE_INSTANCE.GENERATION_CREATED_2016",
    phase=Phase.COMPATIBILITY,
    statement="An instance with a cloud system disk created in 2016 cannot change generation (1 <-> 2); other "
    "cloud-system-disk instances can.",
    source=seed("16年创建的云硬盘做系统盘的主机，一代与二代实例规格不允许相互调整。"),
    field="instanceType",
)
def resize_generation_2016(ctx: ResizeCtx) -> Findings:
    change = _generation_change(ctx)
    if change is None:
        return None
    inst, current, target = change
    if inst.system_disk.category != "cloud" or year_of(inst.launch_time) != 2016:
        return None
    return _generation_message(inst, current, target, "has a cloud system disk and was created in 2016")


@rule(
    "RESIZE_INSTANCE.GENERATION_LOCAL_SYSTEM_DISK",
    phase=Phase.COMPATIBILITY,
    statement="An instance with a local system disk cannot change generation (1 <-> 2).",
    source=seed("本地盘(local类型)做系统盘的主机，一代与二代实例规格不允许相互调整。"),
    field="instanceType",
)
def resize_generation_local(ctx: ResizeCtx) -> Findings:
    change = _generation_change(ctx)
    if change is None or change[0].system_disk.category != "local":
        return None
    return _generation_message(*change, "has a local system disk")


@rule(
    "RESIZE_INSTANCE.GENERATION_AVAILABILITY_GROUP",
    phase=Phase.COMPATIBILITY,
    statement="An instance created through an availability group cannot change generation (1 <-> 2).",
    source=seed("使用高可用组(Ag)创建的主机，一代与二代实例规格不允许相互调整。"),
    field="instanceType",
)
def resize_generation_ag(ctx: ResizeCtx) -> Findings:
    change = _generation_change(ctx)
    if change is None or change[0].ag_id is None:
        return None
    return _generation_message(*change, f"was created through availability group {change[0].ag_id}")


@rule(
    "RESIZE_INSTANCE.LOCAL_NO_STORAGE_FAMILY",
    phase=Phase.COMPATIBILITY,
    statement="An instance with a local system disk cannot move to the storage-optimised families s.d1 and s.d2.",
    source=sdk_doc("resizeInstance: 若当前实例系统盘为本地盘 ... 且不允许调整至第一代存储优化大数据型 s.d1 "
                   "及第二代存储优化大数据型 s.d2"),
    field="instanceType",
)
def resize_local_storage_family(ctx: ResizeCtx) -> Findings:
    inst, target = ctx.instance, ctx.target
    if inst is None or target is None or inst.system_disk.category != "local":
        return None
    if target.family not in STORAGE_FAMILIES:
        return None
    return Finding(f"instance {inst.instance_id} has a local system disk; it cannot move to {target.instance_type} "
                   f"of family {target.family}")


@rule(
    "RESIZE_INSTANCE.IMAGE_SUPPORTS_TYPE",
    phase=Phase.COMPATIBILITY,
    statement="The instance's current image supports the target type (its image constraint allows it).",
    source=seed("当前主机所使用的镜像，需要支持要变更的目标实例规格，否则返回错误。"),
    field="instanceType",
)
def resize_image_supports_type(ctx: ResizeCtx) -> Findings:
    inst, target = ctx.instance, ctx.target
    if inst is None or target is None:
        return None
    image = ctx.world.images.get(inst.image_id)
    if image is None or image.constraint is None or image.constraint.allows(target.instance_type):
        return None
    return Finding(f"image {image.image_id} of instance {inst.instance_id} does not support instance type "
                   f"{target.instance_type} (see describeImageConstraints)")


def _resize_pairing(ctx: ResizeCtx) -> tuple[Image | None, InstanceType | None]:
    """The instance's current image (as the platform holds it) and the target type."""
    inst = ctx.instance
    return (ctx.world.images.get(inst.image_id) if inst is not None else None), ctx.target


def _resize_os(ctx: ResizeCtx) -> tuple[OsType | None, str, InstanceType | None]:
    """The OS the instance runs (its own record: its image may be gone) and the target type."""
    inst = ctx.instance
    if inst is None:
        return None, "", ctx.target
    return inst.os_type, f"Windows instance {inst.instance_id}", ctx.target


resize_windows_cpu: Rule[ResizeCtx] = windows_cpu_rule(
    "RESIZE_INSTANCE.WINDOWS_CPU", "instanceType",
    "A Windows instance (its osType, kept when its image is deleted) cannot move to a type with more than 64 "
    "CPUs.", _resize_os,
)
resize_sql_server_memory: Rule[ResizeCtx] = sql_server_memory_rule(
    "RESIZE_INSTANCE.SQL_SERVER_MEMORY", "instanceType",
    "An instance with the SQL Server 2014 image cannot move to a type with 1 GB of memory or less.",
    _resize_pairing,
)


resize_charge_normal = instance_charge_normal(
    "RESIZE_INSTANCE.CHARGE_NORMAL", "An instance in arrears or expired cannot change its instance type.",
    seed("云主机欠费或到期时，无法更改实例规格。"), "it cannot change its instance type",
)


@rule(
    "RESIZE_INSTANCE.ENCRYPTED_DISK_GENERATION_1",
    phase=Phase.STATE,
    statement="An instance with an encrypted cloud disk attached cannot move to a generation-1 type.",
    source=sdk_doc("resizeInstance: 若当前实例已挂载加密云盘，则不允许调配至第一代云主机"),
    field="instanceType",
)
def resize_encrypted_disk(ctx: ResizeCtx) -> Findings:
    inst, target = ctx.instance, ctx.target
    if inst is None or target is None or target.generation != 1:
        return None
    disk_ids = [d.disk_id for d in inst.data_disks]
    if inst.system_disk.disk_id is not None:
        disk_ids.insert(0, inst.system_disk.disk_id)
    for disk_id in disk_ids:
        disk = ctx.world.disks.get(disk_id)
        if disk is not None and disk.encrypted:
            return Finding(f"instance {inst.instance_id} has encrypted disk {disk_id} attached; it cannot move to "
                           f"generation-1 type {target.instance_type}")
    return None


@rule(
    "RESIZE_INSTANCE.TYPE_OFFLINE",
    phase=Phase.STATE,
    statement="The target type is not offline.",
    source=inferred("the seed's createInstances rule 不能使用已下线、或已售馨的规格ID, applied to the type an "
                    "instance moves to"),
    field="instanceType",
)
def resize_type_offline(ctx: ResizeCtx) -> Findings:
    target = ctx.target
    if target is None or not target.offline:
        return None
    return Finding(f"instance type {target.instance_type} is offline")


@rule(
    "RESIZE_INSTANCE.TYPE_IN_STOCK",
    phase=Phase.STATE,
    statement="The target type is offered and in stock in the instance's availability zone.",
    source=inferred("the seed's createInstances rule 不能使用已下线、或已售馨的规格ID, applied to the type an "
                    "instance moves to, in the instance's zone"),
    field="instanceType",
)
def resize_type_in_stock(ctx: ResizeCtx) -> Findings:
    inst, target = ctx.instance, ctx.target
    if inst is None or target is None:
        return None
    stock = target.stock_in(inst.az)
    if stock:
        return None
    if stock is None:
        return Finding(f"instance type {target.instance_type} is not offered in {inst.az}")
    return Finding(f"instance type {target.instance_type} is sold out in {inst.az}")


@rule(
    "RESIZE_INSTANCE.NIC_LIMIT",
    phase=Phase.STATE,
    statement="The instance's network interfaces (the primary included) fit the target type's nicLimit.",
    source=seed("如果当前主机中的弹性网卡数量，大于新实例规格允许的弹性网卡数量，会返回错误。"),
    field="instanceType",
)
def resize_nic_limit(ctx: ResizeCtx) -> Findings:
    inst, target = ctx.instance, ctx.target
    if inst is None or target is None or nic_count(inst) <= target.nic_limit:
        return None
    return Finding(f"instance {inst.instance_id} has {nic_count(inst)} network interfaces; instance type "
                   f"{target.instance_type} allows at most {target.nic_limit} (the primary included)")


def _quota_rule(rule_id: str, resource: str, unit: str) -> Rule[ResizeCtx]:
    @rule(
        rule_id,
        phase=Phase.QUOTA,
        statement=f"A larger type stays within the account's {resource} quota in the region.",
        source=inferred(f"{resource} is a quota describeQuotas reports; growing an instance uses more of it"),
        field="instanceType",
    )
    def check(ctx: ResizeCtx) -> Findings:
        inst, current, target = ctx.instance, ctx.current, ctx.target
        account = ctx.world.account(ctx.caller)
        if inst is None or current is None or target is None or account is None:
            return None
        delta = _usage_of(target, resource) - _usage_of(current, resource)
        used = ctx.world.used(ctx.caller, inst.region, resource)
        limit = account.quota(resource)
        if delta <= 0 or used + delta <= limit:
            return None
        return Finding(f"instance type {target.instance_type} needs {delta} more {unit}; {resource} quota in "
                       f"{inst.region} is {limit} and {used} are used")

    return check


resize_cpu_quota = _quota_rule("RESIZE_INSTANCE.CPU_QUOTA", "instance_cpu", "vCPUs")
resize_memory_quota = _quota_rule("RESIZE_INSTANCE.MEMORY_QUOTA", "instance_memory", "GB of memory")


def _usage_of(itype: InstanceType, resource: str) -> int:
    """What one instance of ``itype`` counts against ``resource`` (usage.instance_usage: the one definition the
    transition and the usage recount use too)."""
    return dict(instance_usage(itype))[resource]


# effect: RESIZE_INSTANCE.RESIZES, RESIZE_INSTANCE.CHANGES_GENERATION (settle: COMPLETIONS["resizeInstance"])
def _resize(ctx: ResizeCtx) -> tuple[World, JSON]:
    inst, current, target = ctx.instance, ctx.current, ctx.target
    assert inst is not None and target is not None  # rules guarantee them
    world = ctx.world
    # The instance stops counting as its old type and counts as the new one.
    world = world.add_usages(inst.owner, inst.region, [*((kind, -amount) for kind, amount in instance_usage(current)),
                                                       *instance_usage(target)])
    return begin_instance_task(world, replace(inst, instance_type=target.instance_type), "resizing",
                               "resizeInstance"), {}


RESIZES = status(
    "RESIZE_INSTANCE.RESIZES",
    "The instance takes the new type and is resizing until the task completes, then stopped.",
    seed("云主机变更实例规格"),
    StatusChange("instance", ("stopped",), "resizing", "stopped", "resizeInstance"),
)
CHANGES_GENERATION = effect(
    "RESIZE_INSTANCE.CHANGES_GENERATION", "change",
    "An instance with a cloud system disk (not created in 2016, not through an availability group) moves "
    "between generation 1 and 2 types.",
    seed("云硬盘(cloud类型)做系统盘的主机，一代与二代实例规格允许相互调整。"),
)


RESIZE_INSTANCE = Operation[ResizeInstanceRequest, ResizeCtx](
    name="resizeInstance",
    method="POST",
    path="/regions/{regionId}/instances/{instanceId}:resizeInstance",
    summary="云主机变更实例规格。云主机的状态必须为stopped状态。",
    request=ResizeInstanceRequest,
    context=_resize_context,
    rules=(
        region_exists,
        instance_exists,
        resize_type_exists,
        resize_same_type,
        resize_generation_2016,
        resize_generation_local,
        resize_generation_ag,
        resize_local_storage_family,
        resize_image_supports_type,
        resize_windows_cpu,
        resize_sql_server_memory,
        instance_status_in("RESIZE_INSTANCE.STATUS_STOPPED", ["stopped"], STATUS_STOPPED_QUOTE),
        instance_idle("RESIZE_INSTANCE.NO_TASK", NO_TASK_SOURCE),
        resize_charge_normal,
        resize_type_offline,
        resize_type_in_stock,
        resize_encrypted_disk,
        resize_nic_limit,
        resize_cpu_quota,
        resize_memory_quota,
    ),
    apply=_resize,
    effects=(RESIZES, CHANGES_GENERATION),
)


# ---- rebuildInstance --------------------------------------------------------------------------------


class RebuildInstanceRequest(InstanceRequest):
    # Optional as in the current API ([SDK]); absent keeps the instance's password (fact sheet §7.17).
    password: str | None = None
    imageId: str | None = None
    keyNames: list[str] | None = None
    hostname: str | None = None


@dataclass(slots=True)
class RebuildCtx(InstanceCtx[RebuildInstanceRequest]):
    """``image`` is the image to rebuild from (imageId, or the instance's current image) when visible."""

    image: Image | None


def _rebuild_context(world: World, caller: str, req: RebuildInstanceRequest) -> RebuildCtx:
    inst = world.instance(caller, req.regionId, req.instanceId)
    # effect: REBUILD_INSTANCE.ORIGINAL_IMAGE_DEFAULT
    image_id = req.imageId if req.imageId is not None else (inst.image_id if inst is not None else None)
    image = world.image(caller, req.regionId, image_id) if image_id is not None else None
    return RebuildCtx(world, caller, req, inst, image)


HOSTNAME_SOURCE = sdk_doc("rebuildInstance hostname: Linux 2-64 个字符, 点号分段, 每段字母、数字或连字符; 不能连续使用"
                          "点号或连字符, 不能以点号或连字符开头或结尾")
WINDOWS_HOSTNAME_SOURCE = sdk_doc("rebuildInstance hostname: Windows 2-15 个字符, 不支持点号, 不能全部使用数字")


def _rebuild_os(ctx: RebuildCtx) -> str | None:
    return ctx.image.os_type if ctx.image is not None else None


@rule(
    "REBUILD_INSTANCE.SINGLE_KEY",
    phase=Phase.PARAMETERS,
    statement="keyNames holds at most one key.",
    source=sdk_doc("rebuildInstance keyNames: 当前仅支持输入单个密钥"),
    field="keyNames",
)
def rebuild_single_key(ctx: RebuildCtx) -> Findings:
    keys = ctx.req.keyNames
    if keys is None or len(keys) <= 1:
        return None
    return Finding(f"keyNames has {len(keys)} keys; at most 1 is supported")


rebuild_image_exists: Rule[RebuildCtx] = exists_rule(
    "REBUILD_INSTANCE.IMAGE_EXISTS", "image", "imageId", resolved=attrgetter("image"),
    requested=attrgetter("req.imageId"),
    statement="A given imageId names an image the caller can use in the region (official, third-party, its own "
    "private one, or one shared with it).",
    source=inferred("an image the caller cannot see is not found"),
)


@rule(
    "REBUILD_INSTANCE.ORIGINAL_IMAGE_EXISTS",
    phase=Phase.EXISTENCE,
    statement="Without imageId the instance's own image is used, and it must still exist and be visible.",
    source=sdk_doc("rebuildInstance: 若实例基于私有镜像创建，而私有镜像已被删除，则无法使用原镜像重置系统"),
    field="imageId",
)
def rebuild_original_image_exists(ctx: RebuildCtx) -> Findings:
    inst = ctx.instance
    if inst is None or ctx.req.imageId is not None or ctx.image is not None:
        return None
    return Finding(f"instance {inst.instance_id} was created from image {inst.image_id}, which no longer exists "
                   "(or is no longer shared with you); give imageId")


rebuild_keypair_exists: Rule[RebuildCtx] = listed_exist_rule(
    "REBUILD_INSTANCE.KEYPAIR_EXISTS", "keypair", "keyNames",
    lambda ctx: [(f"keyNames.{n}", name) for n, name in enumerate(ctx.req.keyNames or [])], World.keypair,
    statement="Every key in keyNames is a keypair of the caller in the region.",
    source=inferred("a keypair of another account or region is not found"),
)


@rule(
    "REBUILD_INSTANCE.ROOT_DEVICE_TYPE",
    phase=Phase.COMPATIBILITY,
    statement="A local system disk takes a localDisk image and a cloud system disk a cloudDisk image.",
    source=seed("若当前云主机的系统盘类型为local类型，那么更换的镜像必须为localDisk类型的镜像；"
                "同理若当前云主机的系统盘为cloud类型，那么更换的镜像必须为cloudDisk类型的镜像。"),
    field="imageId",
)
def rebuild_root_device_type(ctx: RebuildCtx) -> Findings:
    inst, image = ctx.instance, ctx.image
    if inst is None or image is None:
        return None
    needed = "localDisk" if inst.system_disk.category == "local" else "cloudDisk"
    if image.root_device_type == needed:
        return None
    return Finding(f"instance {inst.instance_id} has a {inst.system_disk.category} system disk and needs a "
                   f"{needed} image; image {image.image_id} is {image.root_device_type}")


@rule(
    "REBUILD_INSTANCE.IMAGE_SUPPORTS_TYPE",
    phase=Phase.COMPATIBILITY,
    statement="The image supports the instance's type (its image constraint allows it).",
    source=seed("指定的镜像必须能够支持当前主机的实例规格(instanceType)，否则会返回错误。"),
    field="imageId",
)
def rebuild_image_supports_type(ctx: RebuildCtx) -> Findings:
    inst, image = ctx.instance, ctx.image
    if inst is None or image is None or image.constraint is None or image.constraint.allows(inst.instance_type):
        return None
    return Finding(f"image {image.image_id} does not support instance type {inst.instance_type} of instance "
                   f"{inst.instance_id} (see describeImageConstraints)")


def _rebuild_pairing(ctx: RebuildCtx) -> tuple[Image | None, InstanceType | None]:
    """The image to rebuild from and the instance's current type."""
    inst = ctx.instance
    return ctx.image, (ctx.world.instance_type(inst.instance_type) if inst is not None else None)


rebuild_windows_cpu: Rule[RebuildCtx] = windows_cpu_rule(
    "REBUILD_INSTANCE.WINDOWS_CPU", "imageId",
    "A Windows Server image cannot be put on an instance whose type has more than 64 CPUs.",
    lambda ctx: image_os(*_rebuild_pairing(ctx)),
)
rebuild_sql_server_memory: Rule[RebuildCtx] = sql_server_memory_rule(
    "REBUILD_INSTANCE.SQL_SERVER_MEMORY", "imageId",
    "The SQL Server 2014 image cannot be put on an instance whose type has 1 GB of memory or less.",
    _rebuild_pairing,
)


@rule(
    "REBUILD_INSTANCE.KEYPAIR_LINUX_ONLY",
    phase=Phase.COMPATIBILITY,
    statement="Only a Linux image takes a keypair.",
    source=seed("仅Linux系统云主机可以指定密钥"),
    field="keyNames",
)
def rebuild_keypair_linux_only(ctx: RebuildCtx) -> Findings:
    image = ctx.image
    if image is None or not ctx.req.keyNames or image.os_type == "linux":
        return None
    return Finding(f"image {image.image_id} is {image.os_type}; only Linux instances can take keyNames")


@rule(
    "REBUILD_INSTANCE.SYSTEM_DISK_SIZE",
    phase=Phase.COMPATIBILITY,
    statement="For a cloud system disk, the disk is not larger than the system disk of an image other than the "
    "instance's own (rebuilding from the instance's own image, with or without imageId, keeps any size).",
    source=sdk_doc("rebuildInstance: 对于云盘作系统盘的实例，当前系统盘大小不能超过目标镜像对应系统盘快照的容量"),
    field="imageId",
)
def rebuild_system_disk_size(ctx: RebuildCtx) -> Findings:
    inst, image = ctx.instance, ctx.image
    if inst is None or image is None or inst.system_disk.disk_id is None:
        return None
    # The seed's default (若不指定镜像ID，默认使用当前主机的原镜像重置系统) must always apply: the disk was
    # allowed to be larger than its own image at creation (docs/decisions/instances.md).
    if image.image_id == inst.image_id:
        return None
    disk = ctx.world.disks.get(inst.system_disk.disk_id)
    if disk is None or disk.size_gb <= image.system_disk_size_gb:
        return None
    return Finding(f"the system disk {disk.disk_id} of instance {inst.instance_id} has {disk.size_gb} GB; image "
                   f"{image.image_id} has a {image.system_disk_size_gb} GB system disk, and the disk may not be larger")


rebuild_image_ready: Rule[RebuildCtx] = image_ready_rule(
    "REBUILD_INSTANCE.IMAGE_READY", "imageId", "used", resolved=attrgetter("image"),
    statement="The image is ready.", source=seed("调用接口后，需要等待镜像状态变为<b>ready</b>后，才能正常使用镜像。"),
)


# effect: REBUILD_INSTANCE.REBUILDS (settle: COMPLETIONS["rebuildInstance"])
def _rebuild(ctx: RebuildCtx) -> tuple[World, JSON]:
    inst, image = ctx.instance, ctx.image
    assert inst is not None and image is not None  # rules guarantee them
    req = ctx.req
    # Keys given replace the instance's; none given keeps them, unless the new system is not Linux.
    kept = inst.key_names if image.os_type == "linux" else ()
    keys = tuple(req.keyNames) if req.keyNames is not None else kept
    world = _system_disk_for(ctx.world, inst, image)
    inst = replace(
        inst,
        image_id=image.image_id,
        os_type=image.os_type,  # the new system's OS (REBUILD_INSTANCE.REBUILDS)
        key_names=keys,
        hostname=req.hostname if req.hostname is not None else inst.hostname,
        password_digest=password_digest(req.password) if req.password is not None else inst.password_digest,
        pending_password_digest=None if req.password is not None else inst.pending_password_digest,
    )
    return begin_instance_task(world, inst, "rebuilding", "rebuildInstance"), {}


# effect: REBUILD_INSTANCE.SYSTEM_DISK_AT_LEAST_IMAGE
def _system_disk_for(world: World, inst: Instance, image: Image) -> World:
    """The world with ``inst``'s cloud system disk grown to ``image``'s system disk when it is smaller (the
    disk is rebuilt from the image's system disk snapshot); unchanged otherwise."""
    disk_id = inst.system_disk.disk_id
    disk = world.disks.get(disk_id) if disk_id is not None else None
    if disk is None or disk.size_gb >= image.system_disk_size_gb:
        return world
    return world.evolve(disks=world.disks.set(disk.disk_id, replace(disk, size_gb=image.system_disk_size_gb)))


REBUILDS = status(
    "REBUILD_INSTANCE.REBUILDS",
    "The instance takes the image and its osType and is rebuilding until the task completes, then stopped.",
    seed("云主机使用指定镜像重置云主机系统"),
    StatusChange("instance", ("stopped",), "rebuilding", "stopped", "rebuildInstance"),
)
SYSTEM_DISK_AT_LEAST_IMAGE = effect(
    "REBUILD_INSTANCE.SYSTEM_DISK_AT_LEAST_IMAGE", "change",
    "A cloud system disk smaller than the image's system disk grows to that size; a larger one keeps its size "
    "(REBUILD_INSTANCE.SYSTEM_DISK_SIZE says when it may be larger).",
    inferred("the disk is rebuilt from the image's system disk, and a cloud system disk is never smaller than its "
             "image's: createInstances 取值范围: 40-500GB，并且不能小于镜像的最小系统盘大小"),
    field="imageId",
)
ORIGINAL_IMAGE_DEFAULT = default(
    "REBUILD_INSTANCE.ORIGINAL_IMAGE_DEFAULT", "imageId", "the instance's current image",
    "Without imageId the system is reset from the instance's current image.",
    seed("若不指定镜像ID，默认使用当前主机的原镜像重置系统。"),
)


REBUILD_INSTANCE = Operation[RebuildInstanceRequest, RebuildCtx](
    name="rebuildInstance",
    method="POST",
    path="/regions/{regionId}/instances/{instanceId}:rebuildInstance",
    summary="云主机使用指定镜像重置云主机系统。云主机的状态必须为stopped状态。",
    request=RebuildInstanceRequest,
    context=_rebuild_context,
    rules=(
        region_exists,
        password_rule("REBUILD_INSTANCE.PASSWORD", lambda r: r.password, "password", PASSWORD_SOURCE),
        rebuild_single_key,
        hostname_rule("REBUILD_INSTANCE.HOSTNAME", lambda r: r.hostname, "hostname", HOSTNAME_SOURCE),
        instance_exists,
        rebuild_image_exists,
        rebuild_original_image_exists,
        rebuild_keypair_exists,
        rebuild_root_device_type,
        rebuild_image_supports_type,
        rebuild_windows_cpu,
        rebuild_sql_server_memory,
        rebuild_keypair_linux_only,
        windows_hostname_rule("REBUILD_INSTANCE.WINDOWS_HOSTNAME", lambda r: r.hostname, "hostname",
                              WINDOWS_HOSTNAME_SOURCE, _rebuild_os),
        rebuild_system_disk_size,
        instance_status_in("REBUILD_INSTANCE.STATUS_STOPPED", ["stopped"], STATUS_STOPPED_QUOTE),
        instance_idle("REBUILD_INSTANCE.NO_TASK", NO_TASK_SOURCE),
        rebuild_image_ready,
    ),
    apply=_rebuild,
    effects=(REBUILDS, SYSTEM_DISK_AT_LEAST_IMAGE, ORIGINAL_IMAGE_DEFAULT),
)


OPERATIONS = (RESIZE_INSTANCE, REBUILD_INSTANCE)
COMPLETIONS: dict[str, Completion] = {
    "resizeInstance": finish_instance_task("stopped"),
    "rebuildInstance": finish_instance_task("stopped"),
}
