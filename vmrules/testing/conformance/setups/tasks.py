"""Setups for the "no task in progress on the instance" rules (云主机没有正在进行中的任务).

A power operation (or createImage, modifyInstancePassword) on an instance in the status it needs can only
meet a task of another kind: the setup attaches a free disk to such an instance, or detaches one of its data
disks when no free disk will do (either leaves a task on the instance and on the disk until settle) and hands
the pair search the rule's own request aimed at that instance.
"""

from __future__ import annotations

from hypothesis import strategies as st

from vmrules.defaults import NORTH
from vmrules.engine import check
from vmrules.model import Instance
from vmrules.testing.conformance.divergence import Divergence
from vmrules.testing.conformance.lockstep import Lockstep
from vmrules.testing.conformance.settings import JSON
from vmrules.testing.conformance.setups.base import Registry
from vmrules.testing.conformance.setups.common import free_disks, idle_instances, pick

registry = Registry()

# rule id -> (operation, the statuses it accepts)
_POWER = {
    "STOP_INSTANCE.NO_TASK": ("stopInstance", ("running",)),
    "REBOOT_INSTANCE.NO_TASK": ("rebootInstance", ("running",)),
    "START_INSTANCE.NO_TASK": ("startInstance", ("stopped",)),
    "REBUILD_INSTANCE.NO_TASK": ("rebuildInstance", ("stopped",)),
    "RESIZE_INSTANCE.NO_TASK": ("resizeInstance", ("stopped",)),
    "DELETE_INSTANCE.NO_TASK": ("deleteInstance", ("running", "stopped")),
    "CREATE_IMAGE.NO_TASK": ("createImage", ("stopped",)),
    "MODIFY_INSTANCE_PASSWORD.NO_TASK": ("modifyInstancePassword", ("running", "stopped")),
}


def _prepaid(instance: Instance) -> bool:
    return instance.charge is not None and instance.charge.mode == "prepaid_by_duration"


def _task_request(lock: Lockstep, caller: str, instance: Instance) -> tuple[str, JSON] | None:
    """A request that leaves a task on the instance and its status as it is: attaching a free disk, else
    detaching one of its data disks; the first the model accepts (None when it accepts neither)."""
    target = {"regionId": NORTH, "instanceId": instance.instance_id}
    free = next(iter(free_disks(lock, caller, instance.az, postpaid_only=False)), None)
    options = [("attachDisk", {**target, "diskId": free})] if free is not None else []
    options += [("detachDisk", {**target, "diskId": d.disk_id}) for d in instance.data_disks if d.disk_id]
    return next(((op, params) for op, params in options if not check(lock.model, op, params, caller=caller)), None)


@registry.setup_for(*_POWER)
def busy_instance(lock: Lockstep, data: st.DataObject, caller: str,
                  rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """An instance in the status the rule's operation needs, with an attach (or detach) task in progress."""
    operation, statuses = _POWER[rule_id]
    idle = idle_instances(lock, caller, lambda i: i.status in statuses and not _prepaid(i))
    candidates = [(i, task) for i in idle for task in [_task_request(lock, caller, i)] if task is not None]
    if not candidates:
        return [], None
    instance, (task_operation, task_params) = pick(data, candidates, "busy instance")
    found = lock.request(task_operation, task_params, caller)
    base: JSON = {"regionId": NORTH, "instanceId": instance.instance_id}
    if operation == "rebuildInstance":
        base["imageId"] = instance.image_id
    elif operation == "resizeInstance":
        base["instanceType"] = instance.instance_type
    elif operation == "createImage":
        base["name"] = "busy-image"
    elif operation == "modifyInstancePassword":
        base["password"] = "Busy2026pass"
    return [base], found
