"""startInstance, stopInstance, rebootInstance: status gates, task gates, billing gates, settle."""

from __future__ import annotations

import pytest
from helpers import instance, ok, refused, run

from vmrules import World, settle
from vmrules.model import Charge


@pytest.mark.rule("STOP_INSTANCE.STATUS_RUNNING")
def test_stop_needs_running(world: World) -> None:
    iid, world = instance(world)
    stopped = settle(ok(run(world, "stopInstance", instanceId=iid)))
    assert stopped.instances[iid].status == "stopped"
    refused(run(stopped, "stopInstance", instanceId=iid), "STOP_INSTANCE.STATUS_RUNNING", "FAILED_PRECONDITION")


@pytest.mark.rule("STOP_INSTANCE.NO_TASK")
def test_stop_refused_while_a_task_runs(world: World) -> None:
    iid, world = instance(world)
    busy = world.with_task(iid, "rebootInstance")
    refused(run(busy, "stopInstance", instanceId=iid), "STOP_INSTANCE.NO_TASK", "FAILED_PRECONDITION")
    ok(run(world, "stopInstance", instanceId=iid))


@pytest.mark.rule("INSTANCE.EXISTS")
def test_unknown_and_foreign_instances_are_not_found(world: World) -> None:
    iid, world = instance(world)
    refused(run(world, "stopInstance", instanceId="i-0000000000"), "INSTANCE.EXISTS", "NOT_FOUND")
    refused(run(world, "stopInstance", caller="bob", instanceId=iid), "INSTANCE.EXISTS", "NOT_FOUND")
    refused(run(world, "stopInstance", regionId="cn-east-2", instanceId=iid), "INSTANCE.EXISTS", "NOT_FOUND")
    ok(run(world, "stopInstance", instanceId=iid))


@pytest.mark.rule("COMMON.REGION_EXISTS")
def test_unknown_region(world: World) -> None:
    iid, world = instance(world)
    refused(run(world, "stopInstance", regionId="cn-nowhere-9", instanceId=iid), "COMMON.REGION_EXISTS",
            "INVALID_ARGUMENT")


@pytest.mark.rule("START_INSTANCE.STATUS_STOPPED")
def test_start_needs_stopped(world: World) -> None:
    iid, world = instance(world)
    refused(run(world, "startInstance", instanceId=iid), "START_INSTANCE.STATUS_STOPPED", "FAILED_PRECONDITION")
    stopped = settle(ok(run(world, "stopInstance", instanceId=iid)))
    started = ok(run(stopped, "startInstance", instanceId=iid))
    assert started.instances[iid].status == "starting"
    assert settle(started).instances[iid].status == "running"


@pytest.mark.rule("START_INSTANCE.NO_TASK")
def test_start_refused_while_a_task_runs(world: World) -> None:
    iid, world = instance(world, status="stopped")
    refused(run(world.with_task(iid, "resizeInstance"), "startInstance", instanceId=iid),
            "START_INSTANCE.NO_TASK", "FAILED_PRECONDITION")
    ok(run(world, "startInstance", instanceId=iid))


@pytest.mark.rule("START_INSTANCE.CHARGE_NORMAL")
def test_start_needs_normal_billing(world: World) -> None:
    iid, world = instance(world, status="stopped", charge=Charge("postpaid_by_duration", "arrear"))
    refused(run(world, "startInstance", instanceId=iid), "START_INSTANCE.CHARGE_NORMAL", "FAILED_PRECONDITION")
    expiring = Charge("prepaid_by_duration", "normal", world.clock, world.clock + 100)
    jid, world = instance(world, status="stopped", charge=expiring)
    ok(run(world, "startInstance", instanceId=jid))
    from vmrules import advance

    refused(run(advance(world, 100), "startInstance", instanceId=jid), "START_INSTANCE.CHARGE_NORMAL",
            "FAILED_PRECONDITION")


@pytest.mark.rule("REBOOT_INSTANCE.STATUS_RUNNING")
def test_reboot_needs_running(world: World) -> None:
    iid, world = instance(world, status="stopped")
    refused(run(world, "rebootInstance", instanceId=iid), "REBOOT_INSTANCE.STATUS_RUNNING", "FAILED_PRECONDITION")
    jid, world = instance(world)
    rebooting = ok(run(world, "rebootInstance", instanceId=jid))
    assert rebooting.instances[jid].status == "rebooting"
    assert settle(rebooting).instances[jid].status == "running"


@pytest.mark.rule("REBOOT_INSTANCE.NO_TASK")
def test_reboot_refused_while_a_task_runs(world: World) -> None:
    iid, world = instance(world)
    refused(run(world.with_task(iid, "attachDisk"), "rebootInstance", instanceId=iid), "REBOOT_INSTANCE.NO_TASK",
            "FAILED_PRECONDITION")


@pytest.mark.rule("REBOOT_INSTANCE.CHARGE_NORMAL")
def test_reboot_refused_in_arrears(world: World) -> None:
    iid, world = instance(world, charge=Charge("postpaid_by_duration", "arrear"))
    refused(run(world, "rebootInstance", instanceId=iid), "REBOOT_INSTANCE.CHARGE_NORMAL", "FAILED_PRECONDITION")
    jid, world = instance(world)
    ok(run(world, "rebootInstance", instanceId=jid))


def test_input_world_is_unchanged(world: World) -> None:
    iid, world = instance(world)
    before = world.instances[iid]
    out = run(world, "stopInstance", instanceId=iid)
    assert world.instances[iid] is before and not world.tasks
    assert out.world.instances[iid].status == "stopping"
