"""Data disks of an instance: attachDisk, detachDisk, modifyInstanceDiskAttribute.

Attaching and detaching are asynchronous: the operation marks the attachment ``attaching`` / ``detaching`` on
both the instance and the disk and records a task on each (kind ``attachDisk`` / ``detachDisk``); ``settle``
finishes both sides at once. A disk being attached counts against the data-disk limit from the start.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from operator import attrgetter
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from vmrules.consistency import AutoDeleteRefusal, auto_delete_refusal
from vmrules.effects import StatusChange, default, effect, status
from vmrules.model import Disk, DiskAttachment, DiskStatus, Instance, InstanceDisk, Task
from vmrules.operation import Operation
from vmrules.operations.common import (
    Completion,
    InstanceAndCtx,
    InstanceCtx,
    InstanceRequest,
    instance_and,
    instance_exists,
    instance_idle,
    instance_status_in,
    item_ids_exist,
    item_ids_required,
    item_ids_unique,
    no_task_rule,
    region_exists,
)
from vmrules.operations.data_disks import (
    AUTO_DELETE_SOURCE,
    DEVICE_NAME_RANGE,
    DEVICE_NAME_SOURCE,
    DEVICE_NAMES,
    valid_device_name,
)
from vmrules.rules import Finding, Findings, Phase, Rule, inferred, rule, sdk_doc, seed
from vmrules.world import World

JSON = dict[str, Any]

# Data-disk limits by system-disk category (the seed's numbers).
DATA_DISK_LIMIT = {"local": 8, "cloud": 7}
# A multi-attach (shared) disk serves at most this many instances.
MULTI_ATTACH_LIMIT = 16
def free_device_name(inst: Instance) -> str:
    """The first data-disk device name the instance does not use (vdb first)."""
    used = {d.device_name for d in inst.data_disks}
    for name in DEVICE_NAMES:
        if name not in used:
            return name
    return DEVICE_NAMES[-1]  # unreachable: the data-disk limit keeps at most 8 names in use


def auto_delete_refused(disk: Disk) -> AutoDeleteRefusal | None:
    """Why autoDelete true cannot take effect on ``disk`` (None when it can): the one definition
    (``consistency.auto_delete_refusal``), which deleteInstance and the world's invariants use too."""
    return auto_delete_refusal(disk.charge.mode, disk.multi_attachable)


# ---- shared request, context and rules --------------------------------------------------------------


class DiskRequest(InstanceRequest):
    """An instance operation naming one disk."""

    diskId: str


DR = TypeVar("DR", bound=DiskRequest)


class DiskCtx(InstanceAndCtx[DR, Disk]):
    """``disk`` is None when the caller cannot see it (absent, another account, another region)."""

    __slots__ = ()

    @property
    def disk(self) -> Disk | None:
        return self.other


disk_context, disk_exists = instance_and(
    DiskCtx[Any], World.disk, "DISK.EXISTS", "disk", "diskId",
    inferred("a disk of another account or region is not found, so its existence does not leak"))


def _disk_idle(rule_id: str, quote: str) -> Rule[DiskCtx[Any]]:
    return no_task_rule(rule_id, "disk", "diskId", resolved=attrgetter("disk"), resource_id=attrgetter("disk_id"),
                        source=seed(quote), show_status=False)


# ---- attachDisk -------------------------------------------------------------------------------------


class AttachDiskRequest(DiskRequest):
    deviceName: str | None = None
    autoDelete: bool | None = None


ATTACH_QUOTE = "云主机和云硬盘没有正在进行中的的任务时才可挂载"


@rule(
    "ATTACH_DISK.DEVICE_NAME_FORMAT",
    phase=Phase.PARAMETERS,
    statement=f"deviceName, when given, is a data-disk device name: {DEVICE_NAME_RANGE} (vda is the system disk).",
    source=DEVICE_NAME_SOURCE,
    field="deviceName",
)
def attach_device_name_format(ctx: DiskCtx[AttachDiskRequest]) -> Findings:
    name = ctx.req.deviceName
    if name is None or valid_device_name(name):
        return None
    if name == "vda":
        return Finding("deviceName 'vda' is the system disk's; a data disk takes vdb to vdbm")
    return Finding(f"deviceName {name!r} is not a data-disk device name; allowed {DEVICE_NAME_RANGE}")


@rule(
    "ATTACH_DISK.AUTO_DELETE_TAKES_EFFECT",
    phase=Phase.COMPATIBILITY,
    statement="autoDelete true is only for a disk billed by configuration (postpaid_by_duration) that is not "
    "multi-attach: a prepaid disk, one billed by usage and a shared one are refused.",
    source=AUTO_DELETE_SOURCE,
    field="autoDelete",
)
def attach_auto_delete_takes_effect(ctx: DiskCtx[AttachDiskRequest]) -> Findings:
    disk = ctx.disk
    if disk is None or ctx.req.autoDelete is not True:
        return None
    why = auto_delete_refused(disk)
    return Finding(f"autoDelete is true, but disk {disk.disk_id} cannot be deleted with its instance: "
                   f"{why.reason}") if why is not None else None


@rule(
    "ATTACH_DISK.SAME_AZ",
    phase=Phase.COMPATIBILITY,
    statement="The disk is in the instance's availability zone.",
    source=sdk_doc("attachDisk: 待挂载的云硬盘与云主机实例必须在同一个可用区下"),
    field="diskId",
)
def attach_same_az(ctx: DiskCtx[Any]) -> Findings:
    inst, disk = ctx.instance, ctx.disk
    if inst is None or disk is None or disk.az == inst.az:
        return None
    return Finding(f"disk {disk.disk_id} is in {disk.az} but instance {inst.instance_id} is in {inst.az}; "
                   "they must be in the same availability zone")


@rule(
    "ATTACH_DISK.NOT_ATTACHED_HERE",
    phase=Phase.STATE,
    statement="The disk is not already attached (or being attached) to this instance.",
    source=inferred("an attachment is made once; the API reports 'already attached'"),
    field="diskId",
)
def attach_not_attached_here(ctx: DiskCtx[Any]) -> Findings:
    inst, disk = ctx.instance, ctx.disk
    if inst is None or disk is None:
        return None
    for a in disk.attachments:
        if a.instance_id == inst.instance_id:
            return Finding(f"disk {disk.disk_id} is already attached to instance {inst.instance_id} "
                           f"(attachment {a.status})")
    return None


@rule(
    "ATTACH_DISK.DISK_AVAILABLE",
    phase=Phase.STATE,
    statement="A disk that is not multi-attach must be available (attached to no instance).",
    source=sdk_doc("attachDisk: 非共享型云盘最多只能挂载一个云主机实例"),
    field="diskId",
)
def attach_disk_available(ctx: DiskCtx[Any]) -> Findings:
    disk = ctx.disk
    if disk is None:
        return None
    if disk.multi_attachable and disk.status in ("available", "in-use"):
        return None
    if disk.status == "available" and not disk.attachments:
        return None
    if disk.attachments:
        holder = disk.attachments[0].instance_id
        return Finding(f"disk {disk.disk_id} is attached to instance {holder}; a disk that is not multi-attach "
                       "serves one instance")
    return Finding(f"disk {disk.disk_id} is {disk.status}; only an available disk can be attached")


@rule(
    "ATTACH_DISK.MULTI_ATTACH_LIMIT",
    phase=Phase.STATE,
    statement=f"A multi-attach disk serves at most {MULTI_ATTACH_LIMIT} instances.",
    source=sdk_doc("attachDisk: 共享型云硬盘最多可挂载16个云主机实例"),
    field="diskId",
)
def attach_multi_attach_limit(ctx: DiskCtx[Any]) -> Findings:
    disk = ctx.disk
    if disk is None or not disk.multi_attachable or len(disk.attachments) < MULTI_ATTACH_LIMIT:
        return None
    return Finding(f"multi-attach disk {disk.disk_id} already serves {len(disk.attachments)} instances; "
                   f"at most {MULTI_ATTACH_LIMIT}")


@rule(
    "ATTACH_DISK.DATA_DISK_LIMIT",
    phase=Phase.STATE,
    statement="An instance with a local system disk has at most 8 data disks, one with a cloud system disk at "
    "most 7 (attachments in progress count).",
    source=seed("本地盘(local类型)做系统盘的云主机可挂载8块数据盘，云硬盘(cloud类型)做系统盘的云主机可挂载7块数据盘。"),
    field="instanceId",
)
def attach_data_disk_limit(ctx: DiskCtx[Any]) -> Findings:
    inst = ctx.instance
    if inst is None:
        return None
    category = inst.system_disk.category
    limit = DATA_DISK_LIMIT[category]
    if len(inst.data_disks) < limit:
        return None
    return Finding(f"instance {inst.instance_id} has {len(inst.data_disks)} data disks; an instance with a "
                   f"{category} system disk can have at most {limit}")


@rule(
    "ATTACH_DISK.DEVICE_NAME_FREE",
    phase=Phase.STATE,
    statement="A given deviceName is not in use on the instance.",
    source=inferred("a device name identifies one disk of the instance"),
    field="deviceName",
)
def attach_device_name_free(ctx: DiskCtx[AttachDiskRequest]) -> Findings:
    inst, name = ctx.instance, ctx.req.deviceName
    if inst is None or name is None:
        return None
    for d in inst.data_disks:
        if d.device_name == name:
            return Finding(f"deviceName {name!r} is already used by disk {d.disk_id} on instance "
                           f"{inst.instance_id}")
    return None


def _begin_both(world: World, inst: Instance, disk: Disk, kind: str) -> World:
    """The instance and the disk as given, each with a task of ``kind`` that refers to the other side."""
    world = world.with_instance(inst).evolve(disks=world.disks.set(disk.disk_id, disk))
    world = world.with_task(inst.instance_id, kind, disk.disk_id)
    return world.with_task(disk.disk_id, kind, inst.instance_id)


# effect: ATTACH_DISK.ATTACHES, ATTACH_DISK.AUTO_DELETE_DEFAULT
def _attach(ctx: DiskCtx[AttachDiskRequest]) -> tuple[World, JSON]:
    inst, disk = ctx.instance, ctx.disk
    assert inst is not None and disk is not None  # rules guarantee them
    world = ctx.world
    device = ctx.req.deviceName if ctx.req.deviceName is not None else free_device_name(inst)
    auto_delete = bool(ctx.req.autoDelete)  # ATTACH_DISK.AUTO_DELETE_TAKES_EFFECT: only where it applies
    inst = replace(inst, data_disks=(*inst.data_disks, InstanceDisk(disk.disk_id, device, auto_delete,
                                                                     "attaching")))
    disk = replace(disk, attachments=(*disk.attachments,
                                      DiskAttachment(inst.instance_id, "attaching", world.clock)))
    return _begin_both(world, inst, disk, "attachDisk"), {}


ATTACHES_DISK = status(
    "ATTACH_DISK.ATTACHES",
    "The disk's attachment is attaching until the task completes, then attached (the disk in-use).",
    seed("为一台云主机挂载一块数据盘(云硬盘)"),
    StatusChange("disk attachment", (), "attaching", "attached", "attachDisk"),
)
ATTACH_AUTO_DELETE_DEFAULT = default(
    "ATTACH_DISK.AUTO_DELETE_DEFAULT", "autoDelete", "false",
    "Without autoDelete the attached disk is kept when the instance is deleted; true is stored only for a disk "
    "billed by configuration and not shared.",
    sdk_doc("attachDisk autoDelete: 当云主机删除时，是否自动删除云硬盘，默认为False"),
)


ATTACH_DISK = Operation[AttachDiskRequest, DiskCtx[AttachDiskRequest]](
    name="attachDisk",
    method="POST",
    path="/regions/{regionId}/instances/{instanceId}:attachDisk",
    summary="为一台云主机挂载一块数据盘(云硬盘)，云主机和云硬盘没有正在进行中的的任务时才可挂载。",
    request=AttachDiskRequest,
    context=disk_context,
    rules=(
        region_exists,
        attach_device_name_format,
        instance_exists,
        disk_exists,
        attach_same_az,
        attach_auto_delete_takes_effect,
        instance_status_in("ATTACH_DISK.STATUS_RUNNING_OR_STOPPED", ["running", "stopped"],
                           "云主机状态必须是<b>running</b>或<b>stopped</b>状态。"),
        instance_idle("ATTACH_DISK.NO_TASK", ATTACH_QUOTE),
        _disk_idle("ATTACH_DISK.DISK_NO_TASK", ATTACH_QUOTE),
        attach_not_attached_here,
        attach_disk_available,
        attach_multi_attach_limit,
        attach_data_disk_limit,
        attach_device_name_free,
    ),
    apply=_attach,
    effects=(ATTACHES_DISK, ATTACH_AUTO_DELETE_DEFAULT),
)


# ---- detachDisk -------------------------------------------------------------------------------------


class DetachDiskRequest(DiskRequest):
    # Accepted and recorded nowhere: forcing cuts disk IO, which the model does not represent.
    force: bool | None = None


DETACH_QUOTE = "云主机缷载数据盘，云主机和云硬盘没有正在进行中的任务时才可缷载。"


@rule(
    "DETACH_DISK.DATA_DISK_ONLY",
    phase=Phase.COMPATIBILITY,
    statement="Only a data disk can be detached, never the instance's system disk.",
    source=seed("云主机缷载数据盘"),
    field="diskId",
)
def detach_data_disk_only(ctx: DiskCtx[Any]) -> Findings:
    inst, disk = ctx.instance, ctx.disk
    if inst is None or disk is None or inst.system_disk.disk_id != disk.disk_id:
        return None
    return Finding(f"disk {disk.disk_id} is the system disk of instance {inst.instance_id}; only data disks "
                   "can be detached")


@rule(
    "DETACH_DISK.ATTACHED_HERE",
    phase=Phase.STATE,
    statement="The disk is attached to the instance as a data disk.",
    source=inferred("only an existing attachment can be undone"),
    field="diskId",
)
def detach_attached_here(ctx: DiskCtx[Any]) -> Findings:
    inst, disk = ctx.instance, ctx.disk
    if inst is None or disk is None or inst.system_disk.disk_id == disk.disk_id:
        return None
    if any(d.disk_id == disk.disk_id for d in inst.data_disks):
        return None
    return Finding(f"disk {disk.disk_id} is not attached to instance {inst.instance_id}")


# effect: DETACH_DISK.DETACHES
def _detach(ctx: DiskCtx[DetachDiskRequest]) -> tuple[World, JSON]:
    inst, disk = ctx.instance, ctx.disk
    assert inst is not None and disk is not None  # rules guarantee them
    inst = replace(inst, data_disks=tuple(replace(d, status="detaching") if d.disk_id == disk.disk_id else d
                                          for d in inst.data_disks))
    disk = replace(disk, attachments=tuple(replace(a, status="detaching") if a.instance_id == inst.instance_id
                                           else a for a in disk.attachments))
    return _begin_both(ctx.world, inst, disk, "detachDisk"), {}


DETACHES_DISK = status(
    "DETACH_DISK.DETACHES",
    "The disk's attachment is detaching until the task completes, then gone (the disk available when it has no "
    "other attachment).",
    seed("云主机缷载数据盘"),
    StatusChange("disk attachment", ("attached",), "detaching", None, "detachDisk"),
)


DETACH_DISK = Operation[DetachDiskRequest, DiskCtx[DetachDiskRequest]](
    name="detachDisk",
    method="POST",
    path="/regions/{regionId}/instances/{instanceId}:detachDisk",
    summary=DETACH_QUOTE,
    request=DetachDiskRequest,
    context=disk_context,
    rules=(
        region_exists,
        instance_exists,
        disk_exists,
        detach_data_disk_only,
        instance_status_in("DETACH_DISK.STATUS_RUNNING_OR_STOPPED", ["running", "stopped"],
                           sdk_doc("detachDisk: 云主机状态必须是 running 或 stopped 状态")),
        instance_idle("DETACH_DISK.NO_TASK", DETACH_QUOTE),
        _disk_idle("DETACH_DISK.DISK_NO_TASK", DETACH_QUOTE),
        detach_attached_here,
    ),
    apply=_detach,
    effects=(DETACHES_DISK,),
)


# ---- completions: both sides of an attachment finish together ---------------------------------------


def _parties(world: World, task: Task) -> tuple[str, str]:
    """(instance id, disk id) of an attach/detach task recorded on either side (either may have vanished)."""
    ref = task.ref or ""
    if task.resource_id in world.disks:
        return ref, task.resource_id
    if task.resource_id in world.instances or ref in world.disks:
        return task.resource_id, ref
    return ref, task.resource_id


def _disk_status(disk: Disk) -> DiskStatus:
    return "in-use" if disk.attachments else "available"


# effect: ATTACH_DISK.ATTACHES (settle)
def _finish_attach(world: World, task: Task) -> World:
    instance_id, disk_id = _parties(world, task)
    world = world.without_task(instance_id).without_task(disk_id)
    inst = world.instances.get(instance_id)
    disk = world.disks.get(disk_id)
    if inst is not None:
        if disk is None:  # the disk vanished: the attachment never completed
            data_disks = tuple(d for d in inst.data_disks if d.disk_id != disk_id)
        else:
            data_disks = tuple(replace(d, status="attached") if d.disk_id == disk_id else d
                               for d in inst.data_disks)
        world = world.with_instance(replace(inst, data_disks=data_disks))
    if disk is not None:
        if inst is None:  # the instance vanished: the attachment never completed
            attachments = tuple(a for a in disk.attachments if a.instance_id != instance_id)
        else:
            attachments = tuple(replace(a, status="attached") if a.instance_id == instance_id else a
                                for a in disk.attachments)
        disk = replace(disk, attachments=attachments)
        world = world.evolve(disks=world.disks.set(disk_id, replace(disk, status=_disk_status(disk))))
    return world


# effect: DETACH_DISK.DETACHES (settle)
def _finish_detach(world: World, task: Task) -> World:
    instance_id, disk_id = _parties(world, task)
    world = world.without_task(instance_id).without_task(disk_id)
    inst = world.instances.get(instance_id)
    disk = world.disks.get(disk_id)
    if inst is not None:
        inst = replace(inst, data_disks=tuple(d for d in inst.data_disks if d.disk_id != disk_id))
        world = world.with_instance(inst)
    if disk is not None:
        disk = replace(disk, attachments=tuple(a for a in disk.attachments if a.instance_id != instance_id))
        world = world.evolve(disks=world.disks.set(disk_id, replace(disk, status=_disk_status(disk))))
    return world


# ---- modifyInstanceDiskAttribute --------------------------------------------------------------------


class InstanceDiskAttribute(BaseModel):
    model_config = ConfigDict(strict=True, frozen=True, extra="ignore", from_attributes=True)

    diskId: str | None = None
    autoDelete: bool | None = None


class ModifyInstanceDiskAttributeRequest(InstanceRequest):
    dataDisks: list[InstanceDiskAttribute] | None = None


@dataclass(slots=True)
class ModifyDisksCtx(InstanceCtx[ModifyInstanceDiskAttributeRequest]):
    # One entry per dataDisks item: the disk the caller can see under that id, or None.
    disks: tuple[Disk | None, ...]


def _modify_disks_context(world: World, caller: str, req: ModifyInstanceDiskAttributeRequest) -> ModifyDisksCtx:
    items = req.dataDisks or []
    disks = tuple(world.disk(caller, req.regionId, i.diskId) if i.diskId is not None else None for i in items)
    return ModifyDisksCtx(world, caller, req, world.instance(caller, req.regionId, req.instanceId), disks)


def _items(ctx: ModifyDisksCtx) -> list[tuple[int, InstanceDiskAttribute, Disk | None]]:
    return [(n, item, ctx.disks[n]) for n, item in enumerate(ctx.req.dataDisks or [])]


MODIFY_DISK_QUOTE = "修改云主机挂载的数据盘属性，包括是否随主机删除。"


def _disk_ids(ctx: ModifyDisksCtx) -> list[str | None]:
    return [item.diskId for item in ctx.req.dataDisks or []]


modify_disk_id_required = item_ids_required(
    "MODIFY_INSTANCE_DISK_ATTRIBUTE.DISK_ID_REQUIRED", "dataDisks", "diskId", _disk_ids,
    statement="Every dataDisks item names a disk (diskId).",
    source=inferred("an attribute change must say which disk it is for"),
)
modify_disk_id_unique = item_ids_unique(
    "MODIFY_INSTANCE_DISK_ATTRIBUTE.DISK_ID_UNIQUE", "dataDisks", "diskId", _disk_ids,
    statement="A disk appears at most once in dataDisks.",
    source=inferred("two items for one disk could ask for contradicting values"),
)
modify_disk_exists = item_ids_exist(
    "MODIFY_INSTANCE_DISK_ATTRIBUTE.DISK_EXISTS", "dataDisks", "diskId", _disk_ids, attrgetter("disks"),
    statement="Every disk named in dataDisks exists in the region and belongs to the caller.",
    source=inferred("a disk of another account or region is not found"),
)


@rule(
    "MODIFY_INSTANCE_DISK_ATTRIBUTE.DATA_DISK_ONLY",
    phase=Phase.COMPATIBILITY,
    statement="Only data disks are modified, never the system disk.",
    source=seed(MODIFY_DISK_QUOTE),
    field="dataDisks",
)
def modify_data_disk_only(ctx: ModifyDisksCtx) -> Findings:
    inst = ctx.instance
    if inst is None or inst.system_disk.disk_id is None:
        return None
    return [Finding(f"dataDisks.{n}.diskId {disk.disk_id} is the system disk of instance {inst.instance_id}; "
                    "only data disks can be modified", f"dataDisks.{n}.diskId")
            for n, _, disk in _items(ctx) if disk is not None and disk.disk_id == inst.system_disk.disk_id]


def _refused(ctx: ModifyDisksCtx, cause: Literal["billing", "shared"]) -> list[tuple[int, Disk, AutoDeleteRefusal]]:
    """The items whose disk cannot change autoDelete for ``cause`` (``"billing"`` or ``"shared"``)."""
    return [(n, disk, why) for n, _, disk in _items(ctx)
            if disk is not None and (why := auto_delete_refused(disk)) is not None and why.cause == cause]


@rule(
    "MODIFY_INSTANCE_DISK_ATTRIBUTE.PAY_BY_CONFIGURATION",
    phase=Phase.COMPATIBILITY,
    statement="Only disks billed by configuration (postpaid_by_duration) can change autoDelete; a prepaid disk or "
    "one billed by usage always survives the instance.",
    source=sdk_doc("modifyInstanceDiskAttribute: 仅按配置计费、并且非共享型的云硬盘支持修改; "
                   "包年包月计费的云硬盘该属性不生效"),
    field="dataDisks",
)
def modify_pay_by_configuration(ctx: ModifyDisksCtx) -> Findings:
    return [Finding(f"dataDisks.{n}: disk {disk.disk_id} cannot change autoDelete: {why.reason}",
                    f"dataDisks.{n}.diskId")
            for n, disk, why in _refused(ctx, "billing")]


@rule(
    "MODIFY_INSTANCE_DISK_ATTRIBUTE.NOT_SHARED",
    phase=Phase.COMPATIBILITY,
    statement="A multi-attach (shared) disk cannot change autoDelete (one that is also not billed by "
    "configuration is refused by PAY_BY_CONFIGURATION instead).",
    source=sdk_doc("modifyInstanceDiskAttribute: 仅按配置计费、并且非共享型的云硬盘支持修改"),
    field="dataDisks",
)
def modify_not_shared(ctx: ModifyDisksCtx) -> Findings:
    return [Finding(f"dataDisks.{n}: disk {disk.disk_id} cannot change autoDelete: {why.reason}",
                    f"dataDisks.{n}.diskId")
            for n, disk, why in _refused(ctx, "shared")]


@rule(
    "MODIFY_INSTANCE_DISK_ATTRIBUTE.ATTACHED_HERE",
    phase=Phase.STATE,
    statement="Every disk named in dataDisks is attached to the instance as a data disk.",
    source=seed(MODIFY_DISK_QUOTE),
    field="dataDisks",
)
def modify_attached_here(ctx: ModifyDisksCtx) -> Findings:
    inst = ctx.instance
    if inst is None:
        return None
    attached = {d.disk_id for d in inst.data_disks}
    return [Finding(f"dataDisks.{n}.diskId {disk.disk_id} is not attached to instance {inst.instance_id}",
                    f"dataDisks.{n}.diskId")
            for n, _, disk in _items(ctx)
            if disk is not None and disk.disk_id not in attached and disk.disk_id != inst.system_disk.disk_id]


# effect: MODIFY_INSTANCE_DISK_ATTRIBUTE.SETS_AUTO_DELETE
def _modify_disks(ctx: ModifyDisksCtx) -> tuple[World, JSON]:
    inst = ctx.instance
    assert inst is not None  # rules guarantee it
    wanted = {i.diskId: i.autoDelete for i in ctx.req.dataDisks or [] if i.autoDelete is not None}
    if not wanted:
        return ctx.world, {}
    inst = replace(inst, data_disks=tuple(replace(d, auto_delete=wanted[d.disk_id]) if d.disk_id in wanted else d
                                          for d in inst.data_disks))
    return ctx.world.with_instance(inst), {}


SETS_DISK_AUTO_DELETE = effect(
    "MODIFY_INSTANCE_DISK_ATTRIBUTE.SETS_AUTO_DELETE", "change",
    "Each listed disk's autoDelete is set as given; an item without autoDelete changes nothing.",
    seed("修改云主机挂载的数据盘属性，包括是否随主机删除。"),
)


MODIFY_INSTANCE_DISK_ATTRIBUTE = Operation[ModifyInstanceDiskAttributeRequest, ModifyDisksCtx](
    name="modifyInstanceDiskAttribute",
    method="POST",
    path="/regions/{regionId}/instances/{instanceId}:modifyInstanceDiskAttribute",
    summary=MODIFY_DISK_QUOTE,
    request=ModifyInstanceDiskAttributeRequest,
    context=_modify_disks_context,
    rules=(
        region_exists,
        modify_disk_id_required,
        modify_disk_id_unique,
        instance_exists,
        modify_disk_exists,
        modify_data_disk_only,
        modify_pay_by_configuration,
        modify_not_shared,
        modify_attached_here,
    ),
    apply=_modify_disks,
    effects=(SETS_DISK_AUTO_DELETE,),
)


OPERATIONS = (ATTACH_DISK, DETACH_DISK, MODIFY_INSTANCE_DISK_ATTRIBUTE)
COMPLETIONS: dict[str, Completion] = {
    "attachDisk": _finish_attach,
    "detachDisk": _finish_detach,
}
