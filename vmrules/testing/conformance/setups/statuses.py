"""Setups for the "the instance's status is running or stopped" rules of the operations that also accept a
running instance (attach and detach a disk or an interface, delete).

The starting world's one instance in ``error`` rarely lasts (a delete pair's allowed neighbour takes it), and the
statuses in between (``stopping``, ``starting``) exist only while a task is in progress. The setup stops one of
the caller's running instances (left ``stopping`` until the next settle) and hands the pair search the rule's
request aimed at it: a free disk or interface of its zone to attach, one of its own to detach (an interface is
attached first when no running instance has one, detached first when none is free).
"""

from __future__ import annotations

from hypothesis import strategies as st

from vmrules.defaults import NORTH
from vmrules.model import Instance
from vmrules.testing.conformance.divergence import Divergence
from vmrules.testing.conformance.lockstep import Lockstep
from vmrules.testing.conformance.settings import JSON
from vmrules.testing.conformance.setups.base import Registry
from vmrules.testing.conformance.setups.common import (
    free_disks,
    free_nics,
    idle_instances,
    interface_request,
    pick,
    plain_charge,
    run_steps,
)

registry = Registry()


def _requests(lock: Lockstep, caller: str, rule_id: str, inst: Instance) -> list[JSON]:
    """The rule's requests aimed at ``inst`` (empty when it lacks what they need)."""
    target: JSON = {"regionId": NORTH, "instanceId": inst.instance_id}
    if rule_id == "ATTACH_DISK.STATUS_RUNNING_OR_STOPPED":
        return [{**target, "diskId": d} for d in free_disks(lock, caller, inst.az)[:1]]
    if rule_id == "DETACH_DISK.STATUS_RUNNING_OR_STOPPED":
        return [{**target, "diskId": d.disk_id} for d in inst.data_disks[:1] if d.disk_id]
    if rule_id == "ATTACH_NETWORK_INTERFACE.STATUS_RUNNING_OR_STOPPED":
        return [interface_request(inst.instance_id, n) for n in free_nics(lock, caller, inst)[:1]]
    if rule_id == "DETACH_NETWORK_INTERFACE.STATUS_RUNNING_OR_STOPPED":
        return [interface_request(inst.instance_id, n) for n in inst.secondary_nic_ids[:1]]
    return [target]  # DELETE_INSTANCE.STATUS


def _running(lock: Lockstep, caller: str) -> list[Instance]:
    return idle_instances(lock, caller, lambda i: i.status == "running" and plain_charge(i))


def _freeing_step(lock: Lockstep, caller: str, rule_id: str) -> tuple[str, JSON] | None:
    """The step that gives the interface rules' requests what they need when no running instance has it: an
    interface attached to a running instance (for a detach), or one detached from an idle instance (for an
    attach, when every free interface is attached)."""
    if rule_id == "DETACH_NETWORK_INTERFACE.STATUS_RUNNING_OR_STOPPED":
        hosts = [(i, nics[0]) for i in _running(lock, caller) for nics in [free_nics(lock, caller, i)] if nics]
        return ("attachNetworkInterface", interface_request(hosts[0][0].instance_id, hosts[0][1])) if hosts else None
    if rule_id == "ATTACH_NETWORK_INTERFACE.STATUS_RUNNING_OR_STOPPED":
        holders = idle_instances(lock, caller, lambda i: i.status in ("running", "stopped") and plain_charge(i)
                                 and bool(i.secondary_nic_ids))
        return (("detachNetworkInterface", interface_request(holders[0].instance_id, holders[0].secondary_nic_ids[0]))
                if holders else None)
    return None


@registry.setup_for("ATTACH_DISK.STATUS_RUNNING_OR_STOPPED", "DETACH_DISK.STATUS_RUNNING_OR_STOPPED",
                    "ATTACH_NETWORK_INTERFACE.STATUS_RUNNING_OR_STOPPED",
                    "DETACH_NETWORK_INTERFACE.STATUS_RUNNING_OR_STOPPED", "DELETE_INSTANCE.STATUS")
def stopping_instance(lock: Lockstep, data: st.DataObject, caller: str,
                      rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """One of the caller's running instances the rule's request can be aimed at, stopped (left stopping)."""
    def candidates() -> list[tuple[Instance, list[JSON]]]:
        return [(i, made) for i in _running(lock, caller) for made in [_requests(lock, caller, rule_id, i)] if made]

    found = candidates()
    if not found:
        freeing = _freeing_step(lock, caller, rule_id)
        if freeing is not None:
            divergence = run_steps(lock, [freeing, ("settle", {})], caller)
            if divergence is not None:
                return [], divergence
            found = candidates()
    if not found:
        return [], None
    inst, requests = pick(data, found, "instance to stop")
    return requests, lock.request("stopInstance", {"regionId": NORTH, "instanceId": inst.instance_id}, caller)
