"""Setups for "an instance in arrears or expired cannot be rebooted / started": a running instance past its
prepaid expiry, and stopped ones in arrears and past their expiry.

The starting world's instance in arrears is stopped (it cannot be started either), so the reboot setup takes a
running prepaid instance of the caller (starting a stopped one, or creating one for a month) and moves both
clocks past its expiry with ``advance``; the start setup (and resizeInstance's, ``stopped_due``) hands over a
stopped instance of each charge state that is not normal, creating a stopped prepaid one and letting it expire
when none has (arrears and expiry are two clauses a system can get apart). A system without ``advance`` cannot
be brought there: the setups then only hand over what the world already has. Late (``Registry.late``): the
clock stays moved for every step after them.
"""

from __future__ import annotations

from hypothesis import strategies as st

from vmrules.defaults import NORTH
from vmrules.model import Instance
from vmrules.testing.conformance.divergence import Divergence
from vmrules.testing.conformance.edges import create_spec
from vmrules.testing.conformance.lockstep import Lockstep
from vmrules.testing.conformance.settings import JSON
from vmrules.testing.conformance.setups.base import Registry
from vmrules.testing.conformance.setups.common import created_instance, idle_instances, pick

registry = Registry()


def _idle(lock: Lockstep, caller: str) -> list[Instance]:
    return idle_instances(lock, caller, lambda i: i.charge is not None)


def _overdue_running(lock: Lockstep, caller: str) -> list[JSON]:
    clock = lock.model.clock
    return [{"regionId": NORTH, "instanceId": i.instance_id} for i in _idle(lock, caller)
            if i.status == "running" and i.charge is not None and i.charge.effective_status(clock) != "normal"]


def _prepaid(lock: Lockstep, caller: str) -> list[Instance]:
    clock = lock.model.clock
    return [i for i in _idle(lock, caller) if i.status in ("running", "stopped") and i.charge is not None
            and i.charge.mode == "prepaid_by_duration" and i.charge.effective_status(clock) == "normal"
            and i.charge.expire_time is not None]


@registry.setup_for("REBOOT_INSTANCE.CHARGE_NORMAL", late=True)
def expired_running(lock: Lockstep, data: st.DataObject, caller: str,
                    rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """A running instance whose prepaid term is over (rebootInstance on it breaks the rule)."""
    found = _overdue_running(lock, caller)
    if found or not lock.can_advance:
        return found[:3], None
    if not _prepaid(lock, caller):
        spec = create_spec(lock.model, caller)
        if spec is None:
            return [], None
        spec["instanceSpec"] |= {"name": "prepaid-reboot", "charge": {
            "chargeMode": "prepaid_by_duration", "chargeUnit": "month", "chargeDuration": 1}}
        divergence = lock.request("createInstances", spec, caller) or lock.settle()
        if divergence is not None:
            return [], divergence
    candidates = _prepaid(lock, caller)
    if not candidates:
        return [], None
    inst = min(candidates, key=lambda i: (i.status != "running", i.charge.expire_time if i.charge else 0))
    if inst.status == "stopped":
        divergence = lock.request("startInstance", {"regionId": NORTH, "instanceId": inst.instance_id},
                                  caller) or lock.settle()
        if divergence is not None:
            return [], divergence
    expiry = inst.charge.expire_time if inst.charge is not None and inst.charge.expire_time else lock.model.clock
    divergence = lock.advance(max(0, expiry - lock.model.clock) + 1)
    return _overdue_running(lock, caller)[:3], divergence


def _stopped_due(lock: Lockstep, caller: str) -> dict[str, list[Instance]]:
    """The caller's idle stopped instances whose charge is not normal, by charge state."""
    clock = lock.model.clock
    found: dict[str, list[Instance]] = {}
    for inst in idle_instances(lock, caller, lambda i: i.status == "stopped" and i.charge is not None
                               and i.charge.effective_status(clock) != "normal"):
        if inst.charge is not None:
            found.setdefault(inst.charge.effective_status(clock), []).append(inst)
    return found


def stopped_due(lock: Lockstep, data: st.DataObject, caller: str) -> tuple[list[str], Divergence | None]:
    """One stopped instance of each charge state that is not normal (in arrears, expired), sorted by state; an
    expired one made first (a stopped prepaid instance, the clock moved past its term) when there is none and
    the clock can be advanced."""
    divergence = None
    if "overdue" not in _stopped_due(lock, caller) and lock.can_advance:
        made, divergence = created_instance(lock, caller, {"charge": {
            "chargeMode": "prepaid_by_duration", "chargeUnit": "month", "chargeDuration": 1}}, stopped=True)
        if divergence is not None:
            return [], divergence
        if made is not None:
            divergence = lock.advance(32 * 86400)
    return [pick(data, held, f"instance {state}").instance_id
            for state, held in sorted(_stopped_due(lock, caller).items())], divergence


@registry.setup_for("START_INSTANCE.CHARGE_NORMAL", late=True)
def expired_stopped(lock: Lockstep, data: st.DataObject, caller: str,
                    rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """A stopped instance in arrears and one expired (startInstance on either breaks the rule)."""
    due, divergence = stopped_due(lock, data, caller)
    return [{"regionId": NORTH, "instanceId": instance_id} for instance_id in due], divergence
