"""Instance power state: startInstance, stopInstance, rebootInstance, deleteInstance.

Each starts a task (starting, stopping, rebooting, deleting) that ``settle`` completes.
"""

from __future__ import annotations

from typing import Any, Literal

from vmrules.model import Instance, InstanceStatus, Task
from vmrules.operation import Operation
from vmrules.operations.common import (
    Completion,
    InstanceCtx,
    InstanceRequest,
    instance_context,
    instance_exists,
    instance_idle,
    instance_status_in,
    region_exists,
)
from vmrules.rules import Finding, Findings, Phase, rule, sdk_doc, seed
from vmrules.world import World

JSON = dict[str, Any]


def _begin(ctx: InstanceCtx[Any], status: InstanceStatus, task: str) -> tuple[World, JSON]:
    inst = ctx.instance
    assert inst is not None  # rules guarantee it
    world = ctx.world
    world = world.evolve(instances=world.instances.set(inst.instance_id, _with_status(inst, status)))
    return world.with_task(inst.instance_id, task), {}


def _with_status(inst: Instance, status: InstanceStatus) -> Instance:
    from dataclasses import replace

    return replace(inst, status=status)


def _finish(status: InstanceStatus, *, apply_password: bool = False) -> Completion:
    """A completion that moves the instance to ``status`` (and applies a pending password on a boot)."""
    from dataclasses import replace

    def complete(world: World, task: Task) -> World:
        inst = world.instances.get(task.resource_id)
        if inst is None:
            return world
        if apply_password and inst.pending_password_digest is not None:
            inst = replace(inst, password_digest=inst.pending_password_digest, pending_password_digest=None)
        return world.evolve(instances=world.instances.set(inst.instance_id, replace(inst, status=status)))

    return complete


# ---- stopInstance -----------------------------------------------------------------------------------


class StopInstanceRequest(InstanceRequest):
    chargeOnStopped: Literal["keepCharging", "stopCharging"] | None = None


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
    apply=lambda ctx: _begin(ctx, "stopping", "stopInstance"),
)


# ---- startInstance ----------------------------------------------------------------------------------


class StartInstanceRequest(InstanceRequest):
    pass


@rule(
    "START_INSTANCE.CHARGE_NORMAL",
    phase=Phase.STATE,
    statement="Only an instance whose billing status is normal can be started (not overdue, not in arrears).",
    source=seed("只能启动正常计费状态的云主机"),
    field="instanceId",
)
def start_charge_normal(ctx: InstanceCtx[Any]) -> Findings:
    inst = ctx.instance
    if inst is None or inst.charge is None:
        return None
    status = inst.charge.effective_status(ctx.world.clock)
    if status == "normal":
        return None
    return Finding(f"instance {inst.instance_id} billing status is {status}; only normal billing can start")


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
    apply=lambda ctx: _begin(ctx, "starting", "startInstance"),
)


# ---- rebootInstance ---------------------------------------------------------------------------------


class RebootInstanceRequest(InstanceRequest):
    pass


@rule(
    "REBOOT_INSTANCE.CHARGE_NORMAL",
    phase=Phase.STATE,
    statement="An instance in arrears or expired cannot be rebooted.",
    source=sdk_doc("rebootInstance: 云主机欠费或到期时不能重启 (current SDK docstring)"),
    field="instanceId",
)
def reboot_charge_normal(ctx: InstanceCtx[Any]) -> Findings:
    inst = ctx.instance
    if inst is None or inst.charge is None:
        return None
    status = inst.charge.effective_status(ctx.world.clock)
    if status == "normal":
        return None
    return Finding(f"instance {inst.instance_id} billing status is {status}; it cannot be rebooted")


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
    apply=lambda ctx: _begin(ctx, "rebooting", "rebootInstance"),
)


OPERATIONS = (STOP_INSTANCE, START_INSTANCE, REBOOT_INSTANCE)
COMPLETIONS: dict[str, Completion] = {
    "stopInstance": _finish("stopped"),
    "startInstance": _finish("running", apply_password=True),
    "rebootInstance": _finish("running", apply_password=True),
}
