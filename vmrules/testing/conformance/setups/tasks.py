"""Setups for the "no task in progress on the instance" rules (云主机没有正在进行中的任务).

A power operation on an instance in the status it needs can only meet a task of another kind: the setup
attaches a free disk to such an instance, or detaches one of its data disks when no free disk will do (either
leaves a task on the instance and on the disk until settle) and hands the pair search the rule's own request
aimed at that instance.
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

registry = Registry()

# rule id -> (operation, the statuses it accepts)
_POWER = {
    "STOP_INSTANCE.NO_TASK": ("stopInstance", ("running",)),
    "REBOOT_INSTANCE.NO_TASK": ("rebootInstance", ("running",)),
    "START_INSTANCE.NO_TASK": ("startInstance", ("stopped",)),
    "REBUILD_INSTANCE.NO_TASK": ("rebuildInstance", ("stopped",)),
    "RESIZE_INSTANCE.NO_TASK": ("resizeInstance", ("stopped",)),
    "DELETE_INSTANCE.NO_TASK": ("deleteInstance", ("running", "stopped")),
}


def _index(data: st.DataObject, n: int, label: str) -> int:
    return data.draw(st.integers(0, 2**16), label=label) % n


def _idle_instances(lock: Lockstep, caller: str, statuses: tuple[str, ...]) -> list[Instance]:
    world = lock.model
    return sorted((i for i in world.instances.values()
                   if i.owner == caller and i.region == NORTH and i.status in statuses
                   and (i.charge is None or i.charge.mode != "prepaid_by_duration")
                   and not world.busy(i.instance_id)),
                  key=lambda i: i.instance_id)


def _free_disk(lock: Lockstep, caller: str, az: str) -> str | None:
    world = lock.model
    for disk in sorted(world.disks.values(), key=lambda d: d.disk_id):
        if (disk.owner == caller and disk.az == az and not disk.attachments and not disk.multi_attachable
                and not world.busy(disk.disk_id)):
            return disk.disk_id
    return None


def _task_request(lock: Lockstep, caller: str, instance: Instance) -> tuple[str, JSON] | None:
    """A request that leaves a task on the instance and its status as it is: attaching a free disk, else
    detaching one of its data disks; the first the model accepts (None when it accepts neither)."""
    target = {"regionId": NORTH, "instanceId": instance.instance_id}
    free = _free_disk(lock, caller, instance.az)
    options = [("attachDisk", {**target, "diskId": free})] if free is not None else []
    options += [("detachDisk", {**target, "diskId": d.disk_id}) for d in instance.data_disks if d.disk_id]
    return next(((op, params) for op, params in options if not check(lock.model, op, params, caller=caller)), None)


@registry.setup_for(*_POWER)
def busy_instance(lock: Lockstep, data: st.DataObject, caller: str,
                  rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """An instance in the status the rule's operation needs, with an attach (or detach) task in progress."""
    operation, statuses = _POWER[rule_id]
    candidates = [(i, task) for i in _idle_instances(lock, caller, statuses)
                  for task in [_task_request(lock, caller, i)] if task is not None]
    if not candidates:
        return [], None
    instance, (task_operation, task_params) = candidates[_index(data, len(candidates), "busy instance")]
    found = lock.request(task_operation, task_params, caller)
    base: JSON = {"regionId": NORTH, "instanceId": instance.instance_id}
    if operation == "rebuildInstance":
        base["imageId"] = instance.image_id
    elif operation == "resizeInstance":
        base["instanceType"] = instance.instance_type
    return [base], found
