"""Instance power state and removal: startInstance, stopInstance, rebootInstance, deleteInstance.

Each starts a task (starting, stopping, rebooting, deleting) that ``settle`` completes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

from immutables import Map

from vmrules.clock import iso
from vmrules.consistency import auto_deletable
from vmrules.effects import StatusChange, default, effect, status
from vmrules.indexes import addresses_without
from vmrules.model import Disk, ElasticIp, InstanceStatus, NetworkInterface, Task
from vmrules.operation import Operation
from vmrules.operations.common import (
    Completion,
    InstanceCtx,
    InstanceRequest,
    begin_instance_task,
    finish_instance_task,
    instance_charge_normal,
    instance_context,
    instance_exists,
    instance_idle,
    instance_status_in,
    region_exists,
)
from vmrules.rules import Finding, Findings, Phase, inferred, rule, sdk_doc, seed
from vmrules.usage import instance_usage
from vmrules.world import World

JSON = dict[str, Any]


def _begin(ctx: InstanceCtx[Any], status: InstanceStatus, task: str) -> tuple[World, JSON]:
    inst = ctx.instance
    assert inst is not None  # rules guarantee it
    return begin_instance_task(ctx.world, inst, status, task), {}


# ---- stopInstance -----------------------------------------------------------------------------------


class StopInstanceRequest(InstanceRequest):
    chargeOnStopped: Literal["keepCharging", "stopCharging"] | None = None


STOPS = status(
    "STOP_INSTANCE.STOPS",
    "The instance is stopping until the task completes, then stopped.",
    inferred("the seed names only the required status; stopping and stopped are the API's instance statuses"),
    StatusChange("instance", ("running",), "stopping", "stopped", "stopInstance"),
)


STOP_INSTANCE = Operation[StopInstanceRequest, InstanceCtx[StopInstanceRequest]](
    name="stopInstance",
    method="POST",
    path="/regions/{regionId}/instances/{instanceId}:stopInstance",
    summary="停止单个云主机，只能停止running状态的云主机，云主机没有正在进行中的任务才可停止",
    request=StopInstanceRequest,
    context=instance_context,
    rules=(
        region_exists,
        instance_exists,
        instance_status_in("STOP_INSTANCE.STATUS_RUNNING", ["running"], "只能停止<b>running</b>状态的云主机"),
        instance_idle("STOP_INSTANCE.NO_TASK", "云主机没有正在进行中的任务才可停止"),
    ),
    # effect: STOP_INSTANCE.STOPS (settle: COMPLETIONS["stopInstance"])
    apply=lambda ctx: _begin(ctx, "stopping", "stopInstance"),
    effects=(STOPS,),
)


# ---- startInstance ----------------------------------------------------------------------------------


class StartInstanceRequest(InstanceRequest):
    pass


start_charge_normal = instance_charge_normal(
    "START_INSTANCE.CHARGE_NORMAL",
    "Only an instance whose billing status is normal can be started (not overdue, not in arrears).",
    seed("只能启动正常计费状态的云主机"), "only normal billing can start",
)


STARTS = status(
    "START_INSTANCE.STARTS",
    "The instance is starting until the task completes, then running.",
    inferred("the seed names only the required status; starting and running are the API's instance statuses"),
    StatusChange("instance", ("stopped",), "starting", "running", "startInstance"),
)


START_INSTANCE = Operation[StartInstanceRequest, InstanceCtx[StartInstanceRequest]](
    name="startInstance",
    method="POST",
    path="/regions/{regionId}/instances/{instanceId}:startInstance",
    summary="启动单个云主机，只能启动stopped状态的云主机，云主机没有正在进行中的任务才可启动。只能启动正常计费状态的云主机。",
    request=StartInstanceRequest,
    context=instance_context,
    rules=(
        region_exists,
        instance_exists,
        instance_status_in("START_INSTANCE.STATUS_STOPPED", ["stopped"], "只能启动<b>stopped</b>状态的云主机"),
        instance_idle("START_INSTANCE.NO_TASK", "云主机没有正在进行中的任务才可启动"),
        start_charge_normal,
    ),
    # effect: START_INSTANCE.STARTS (settle: COMPLETIONS["startInstance"])
    apply=lambda ctx: _begin(ctx, "starting", "startInstance"),
    effects=(STARTS,),
)


# ---- rebootInstance ---------------------------------------------------------------------------------


class RebootInstanceRequest(InstanceRequest):
    pass


reboot_charge_normal = instance_charge_normal(
    "REBOOT_INSTANCE.CHARGE_NORMAL", "An instance in arrears or expired cannot be rebooted.",
    sdk_doc("rebootInstance: 云主机欠费或到期时不能重启 (current SDK docstring)"), "it cannot be rebooted",
)


REBOOTS = status(
    "REBOOT_INSTANCE.REBOOTS",
    "The instance is rebooting until the task completes, then running again.",
    inferred("the seed names only the required status; rebooting is the API's transitional instance status"),
    StatusChange("instance", ("running",), "rebooting", "running", "rebootInstance"),
)


REBOOT_INSTANCE = Operation[RebootInstanceRequest, InstanceCtx[RebootInstanceRequest]](
    name="rebootInstance",
    method="POST",
    path="/regions/{regionId}/instances/{instanceId}:rebootInstance",
    summary="重启单个云主机，只能重启running状态的云主机，云主机没有正在进行中的任务才可重启。",
    request=RebootInstanceRequest,
    context=instance_context,
    rules=(
        region_exists,
        instance_exists,
        instance_status_in("REBOOT_INSTANCE.STATUS_RUNNING", ["running"], "只能重启<b>running</b>状态的云主机"),
        instance_idle("REBOOT_INSTANCE.NO_TASK", "云主机没有正在进行中的任务才可重启"),
        reboot_charge_normal,
    ),
    # effect: REBOOT_INSTANCE.REBOOTS (settle: COMPLETIONS["rebootInstance"])
    apply=lambda ctx: _begin(ctx, "rebooting", "rebootInstance"),
    effects=(REBOOTS,),
)


# ---- deleteInstance ---------------------------------------------------------------------------------


class DeleteInstanceRequest(InstanceRequest):
    # [SDK] release every elastic IP of the primary interface with the instance (default false: keep them).
    deletePrimaryNetworkInterfaceAllElasticIp: bool | None = None


@rule(
    "DELETE_INSTANCE.BILLING_INFO",
    phase=Phase.PERMISSION,
    statement="An instance without billing information cannot be deleted (PERMISSION_DENIED, as observed).",
    source=seed("不能删除没有计费信息的云主机"),
    field="instanceId",
)
def delete_billing_info(ctx: InstanceCtx[Any]) -> Findings:
    inst = ctx.instance
    if inst is None or inst.charge is not None:
        return None
    return Finding(f"instance {inst.instance_id} has no billing information; it cannot be deleted")


@rule(
    "DELETE_INSTANCE.PREPAID_EXPIRED",
    phase=Phase.STATE,
    statement="A prepaid (包年包月) instance can be deleted only after it has expired.",
    source=seed("包年包月未到期的云主机不能删除。"),
    field="instanceId",
)
def delete_prepaid_expired(ctx: InstanceCtx[Any]) -> Findings:
    inst = ctx.instance
    if inst is None or inst.charge is None or inst.charge.mode != "prepaid_by_duration":
        return None
    if inst.charge.effective_status(ctx.world.clock) == "overdue":
        return None
    expiry = inst.charge.expire_time
    until = f" until {iso(expiry)}" if expiry is not None else ""
    return Finding(f"instance {inst.instance_id} is prepaid and has not expired (valid{until}); "
                   "it can be deleted once it expires")


# effect: DELETE_INSTANCE.DELETES, DELETE_INSTANCE.KEEPS_ELASTIC_IPS (the release is recorded here)
def _begin_delete(ctx: InstanceCtx[DeleteInstanceRequest]) -> tuple[World, JSON]:
    inst = ctx.instance
    assert inst is not None  # rules guarantee it
    primary = ctx.world.network_interfaces.get(inst.primary_nic_id)
    release = primary.elastic_ip_id if ctx.req.deletePrimaryNetworkInterfaceAllElasticIp and primary else None
    return begin_instance_task(ctx.world, inst, "deleting", "deleteInstance", release), {}


DELETES = status(
    "DELETE_INSTANCE.DELETES",
    "The instance is deleting until the task completes, then gone (describeInstance: NOT_FOUND).",
    seed("删除按配置计费、或包年包月已到期的单个云主机。"),
    StatusChange("instance", ("running", "stopped", "error"), "deleting", None, "deleteInstance"),
)
REMOVES_AUTO_DELETE_DISKS = effect(
    "DELETE_INSTANCE.REMOVES_AUTO_DELETE_DISKS", "removal",
    "Attached data disks billed by configuration, not shared and with autoDelete true are deleted with the "
    "instance (a cloud system disk with autoDelete true too).",
    seed("如果主机中挂载的数据盘为按配置计费的云硬盘，并且不是共享型云硬盘，并且AutoDelete属性为true，那么数据盘会随主机一起"
         "删除。"),
)
KEEPS_OTHER_DISKS = effect(
    "DELETE_INSTANCE.KEEPS_OTHER_DISKS", "removal",
    "Every other attached disk (autoDelete false, not billed by configuration, or shared) is detached and kept "
    "(available unless attached elsewhere).",
    inferred("the converse of the seed's deletion condition: a disk it does not delete stays, detached"),
)
REMOVES_INTERFACES = effect(
    "DELETE_INSTANCE.REMOVES_INTERFACES", "removal",
    "The primary network interface and secondary ones with autoDelete true are deleted; other secondary "
    "interfaces are detached and kept.",
    sdk_doc("modifyInstanceNetworkAttribute autoDelete: 随主机删除 (the primary interface always goes)"),
)
KEEPS_ELASTIC_IPS = default(
    "DELETE_INSTANCE.KEEPS_ELASTIC_IPS", "deletePrimaryNetworkInterfaceAllElasticIp", "false",
    "Elastic IPs are disassociated and kept, unless deletePrimaryNetworkInterfaceAllElasticIp is true: then the "
    "primary interface's elastic IP is released with the instance.",
    sdk_doc("deleteInstance deletePrimaryNetworkInterfaceAllElasticIp: 随主机删除主网卡的所有弹性公网IP，默认为false"),
)


DELETE_INSTANCE = Operation[DeleteInstanceRequest, InstanceCtx[DeleteInstanceRequest]](
    name="deleteInstance",
    method="DELETE",
    path="/regions/{regionId}/instances/{instanceId}",
    summary="删除按配置计费、或包年包月已到期的单个云主机。不能删除没有计费信息的云主机。",
    request=DeleteInstanceRequest,
    context=instance_context,
    rules=(
        region_exists,
        instance_exists,
        delete_billing_info,
        instance_status_in("DELETE_INSTANCE.STATUS", ["running", "stopped", "error"],
                           "云主机状态必须为运行<b>running</b>、停止<b>stopped</b>、错误<b>error</b>"),
        instance_idle("DELETE_INSTANCE.NO_TASK", "同时云主机没有正在进行中的任务才可删除"),
        delete_prepaid_expired,
    ),
    apply=_begin_delete,
    effects=(DELETES, REMOVES_AUTO_DELETE_DISKS, KEEPS_OTHER_DISKS, REMOVES_INTERFACES, KEEPS_ELASTIC_IPS),
)


def _detach_disk(disks: Map[str, Disk], disk_id: str, instance_id: str, *, delete: bool) -> Map[str, Disk]:
    disk = disks.get(disk_id)
    if disk is None:
        return disks
    if delete:
        return disks.delete(disk_id)
    rest = tuple(a for a in disk.attachments if a.instance_id != instance_id)
    return disks.set(disk_id, replace(disk, attachments=rest, status="in-use" if rest else "available"))


# effect: DELETE_INSTANCE.DELETES, DELETE_INSTANCE.REMOVES_AUTO_DELETE_DISKS, DELETE_INSTANCE.KEEPS_OTHER_DISKS,
#   DELETE_INSTANCE.REMOVES_INTERFACES, DELETE_INSTANCE.KEEPS_ELASTIC_IPS
def _complete_delete(world: World, task: Task) -> World:
    """The instance is gone: its primary interface and the disks and interfaces marked autoDelete go with it;
    other disks and interfaces are detached and kept; elastic IPs are disassociated and kept (unless the request
    asked to release the primary interface's, recorded as the task's ``ref``); usage counters drop."""
    inst = world.instances.get(task.resource_id)
    if inst is None:
        return world
    iid = inst.instance_id
    gone: list[str] = []
    disks = world.disks
    sd = inst.system_disk
    if sd.category == "cloud" and sd.disk_id is not None:
        disks = _detach_disk(disks, sd.disk_id, iid, delete=sd.auto_delete)
        if sd.auto_delete:
            gone.append(sd.disk_id)
    for dd in inst.data_disks:
        disk = disks.get(dd.disk_id)
        delete = dd.auto_delete and disk is not None and auto_deletable(disk)
        disks = _detach_disk(disks, dd.disk_id, iid, delete=delete)
        if delete:
            gone.append(dd.disk_id)
    nics = world.network_interfaces
    addresses = world.subnet_addresses
    eips = world.elastic_ips
    for nic_id in (inst.primary_nic_id, *inst.secondary_nic_ids):
        nic = nics.get(nic_id)
        if nic is None:
            continue
        delete = nic_id == inst.primary_nic_id or nic.auto_delete
        if nic.elastic_ip_id is not None and nic.elastic_ip_id in eips:
            eips = _unbind_eip(eips, nic, release=delete and nic.elastic_ip_id == task.ref, keep_nic=not delete)
        if delete:
            nics = nics.delete(nic_id)
            addresses = addresses_without(addresses, nic)
            gone.append(nic_id)
        else:
            nics = nics.set(nic_id, replace(nic, instance_id=None, device_index=0))
    world = world.without_instance(iid).evolve(disks=disks, network_interfaces=nics, elastic_ips=eips,
                                               subnet_addresses=addresses)
    for rid in gone:
        world = world.without_task(rid)
    released = instance_usage(world.instance_types.get(inst.instance_type))
    return world.add_usages(inst.owner, inst.region, [(kind, -amount) for kind, amount in released])


def _unbind_eip(eips: Map[str, ElasticIp], nic: NetworkInterface, *, release: bool,
                keep_nic: bool) -> Map[str, ElasticIp]:
    """The interface's elastic IP after its instance is deleted: released, still on the kept interface (but no
    longer on an instance), or disassociated."""
    eip_id = nic.elastic_ip_id
    assert eip_id is not None
    if release:
        return eips.delete(eip_id)
    eip = eips[eip_id]
    if keep_nic:
        return eips.set(eip_id, replace(eip, instance_id=None))
    return eips.set(eip_id, replace(eip, nic_id=None, instance_id=None, private_ip=None))


OPERATIONS = (STOP_INSTANCE, START_INSTANCE, REBOOT_INSTANCE, DELETE_INSTANCE)
COMPLETIONS: dict[str, Completion] = {
    "stopInstance": finish_instance_task("stopped"),
    "startInstance": finish_instance_task("running", apply_password=True),
    "rebootInstance": finish_instance_task("running", apply_password=True),
    "deleteInstance": _complete_delete,
}
