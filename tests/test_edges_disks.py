"""Edges of attachDisk, detachDisk and modifyInstanceDiskAttribute that tests/test_disks.py leaves open: the
exact data-disk limits, messages that name the cause, ``check`` with one side missing, multi-attach detach, and
what attach and detach completion leave behind (attachTime, status, the other attachments)."""

from __future__ import annotations

import pytest
from helpers import NORTH, instance, ok, refused, run

from vmrules import World, advance, check, settle

FA = "FAILED_PRECONDITION"
IA = "INVALID_ARGUMENT"
DISKS_1A = ("vol-ssd0000001", "vol-ssd0000002", "vol-ssd0000003", "vol-ssd0000004", "vol-ssd0000005",
            "vol-hdd0000001", "vol-hdd0000002", "vol-hdd0000003", "vol-hdd0000004", "vol-hdd0000005")


def attached(world: World, iid: str, *disk_ids: str) -> World:
    for disk_id in disk_ids:
        world = settle(ok(run(world, "attachDisk", instanceId=iid, diskId=disk_id)))
    return world


def rules_of(world: World, operation: str, **params: object) -> list[str]:
    return [e.rule for e in check(world, operation, {"regionId": NORTH, **params})]


@pytest.mark.rule("ATTACH_DISK.DEVICE_NAME_FORMAT")
def test_vda_is_refused_as_the_system_disk_name(world: World) -> None:
    iid, world = instance(world)
    out = run(world, "attachDisk", instanceId=iid, diskId="vol-ssd0000001", deviceName="vda")
    refused(out, "ATTACH_DISK.DEVICE_NAME_FORMAT", IA)
    assert out.error is not None and "system disk" in out.error.message
    other = run(world, "attachDisk", instanceId=iid, diskId="vol-ssd0000001", deviceName="sdb")
    assert other.error is not None and "system disk" not in other.error.message


@pytest.mark.rule("ATTACH_DISK.DATA_DISK_LIMIT")
def test_local_system_disk_takes_exactly_eight_data_disks(world: World) -> None:
    iid, world = instance(world, system_disk="local", image_id="img-centos7lcl")
    world = attached(world, iid, *DISKS_1A[:7])
    world = attached(world, iid, DISKS_1A[7])  # the eighth is allowed
    assert len(world.instances[iid].data_disks) == 8
    out = run(world, "attachDisk", instanceId=iid, diskId=DISKS_1A[8])
    refused(out, "ATTACH_DISK.DATA_DISK_LIMIT", FA)
    assert out.error is not None and "at most 8" in out.error.message


@pytest.mark.rule("ATTACH_DISK.DATA_DISK_LIMIT")
def test_cloud_system_disk_takes_exactly_seven_data_disks(world: World) -> None:
    iid, world = instance(world)
    world = attached(world, iid, *DISKS_1A[:6])
    world = attached(world, iid, DISKS_1A[6])  # the seventh is allowed
    refused(run(world, "attachDisk", instanceId=iid, diskId=DISKS_1A[7]), "ATTACH_DISK.DATA_DISK_LIMIT", FA)


@pytest.mark.rule("ATTACH_DISK.DEVICE_NAME_FREE")
@pytest.mark.rule("ATTACH_DISK.NOT_ATTACHED_HERE")
def test_check_with_a_device_name_copes_with_a_missing_instance_or_disk(world: World) -> None:
    iid, world = instance(world)
    assert rules_of(world, "attachDisk", instanceId="i-nothere0001", diskId="vol-ssd0000001",
                    deviceName="vdc") == ["INSTANCE.EXISTS"]
    assert rules_of(world, "attachDisk", instanceId=iid, diskId="vol-nothere00", deviceName="vdc") == [
        "DISK.EXISTS"]
    assert rules_of(world, "attachDisk", instanceId="i-nothere0001", diskId="vol-nothere00") == [
        "INSTANCE.EXISTS", "DISK.EXISTS"]


@pytest.mark.rule("DETACH_DISK.ATTACHED_HERE")
def test_check_detach_copes_with_a_missing_instance_or_disk(world: World) -> None:
    iid, world = instance(world)
    assert rules_of(world, "detachDisk", instanceId="i-nothere0001", diskId="vol-ssd0000001") == [
        "INSTANCE.EXISTS"]
    assert rules_of(world, "detachDisk", instanceId=iid, diskId="vol-nothere00") == ["DISK.EXISTS"]


def test_attach_records_the_attach_time_and_completion_keeps_it(world: World) -> None:
    iid, world = instance(world)
    world = advance(world, 90)
    clock = world.clock
    started = ok(run(world, "attachDisk", instanceId=iid, diskId="vol-ssd0000001"))
    [attachment] = started.disks["vol-ssd0000001"].attachments
    assert (attachment.instance_id, attachment.status, attachment.attach_time) == (iid, "attaching", clock)
    done = settle(advance(started, 30))
    [attachment] = done.disks["vol-ssd0000001"].attachments
    assert (attachment.status, attachment.attach_time) == ("attached", clock)


def test_attach_completion_finishes_only_its_own_disk(world: World) -> None:
    iid, world = instance(world)
    jid, world = instance(world)
    world = attached(world, iid, "vol-ssd0000001")
    started = ok(run(world, "attachDisk", instanceId=iid, diskId="vol-ssd0000002"))
    started = ok(run(started, "attachDisk", instanceId=jid, diskId="vol-ssd0000003"))
    done = settle(started)
    assert [(d.disk_id, d.status) for d in done.instances[iid].data_disks] == [
        ("vol-ssd0000001", "attached"), ("vol-ssd0000002", "attached")]
    assert [(d.disk_id, d.status) for d in done.instances[jid].data_disks] == [("vol-ssd0000003", "attached")]
    for disk_id in ("vol-ssd0000001", "vol-ssd0000002", "vol-ssd0000003"):
        assert done.disks[disk_id].status == "in-use"
    assert done.disks["vol-ssd0000004"].status == "available"


def test_shared_disk_attach_completion_leaves_the_other_attachments_alone(world: World) -> None:
    iid, world = instance(world)
    jid, world = instance(world)
    world = attached(world, iid, "vol-shared00001")
    started = ok(run(world, "attachDisk", instanceId=jid, diskId="vol-shared00001"))
    assert [(a.instance_id, a.status) for a in started.disks["vol-shared00001"].attachments] == [
        (iid, "attached"), (jid, "attaching")]
    done = settle(started)
    assert [(a.instance_id, a.status) for a in done.disks["vol-shared00001"].attachments] == [
        (iid, "attached"), (jid, "attached")]
    assert done.disks["vol-shared00001"].status == "in-use"


def test_shared_disk_detach_marks_and_removes_only_that_instance(world: World) -> None:
    iid, world = instance(world)
    jid, world = instance(world)
    kid, world = instance(world)
    world = attached(world, iid, "vol-shared00001")
    world = attached(world, jid, "vol-shared00001")
    world = attached(world, kid, "vol-shared00001")
    started = ok(run(world, "detachDisk", instanceId=jid, diskId="vol-shared00001"))
    assert [(a.instance_id, a.status) for a in started.disks["vol-shared00001"].attachments] == [
        (iid, "attached"), (jid, "detaching"), (kid, "attached")]
    assert [d.status for d in started.instances[jid].data_disks] == ["detaching"]
    assert [d.status for d in started.instances[iid].data_disks] == ["attached"]
    done = settle(started)
    assert [a.instance_id for a in done.disks["vol-shared00001"].attachments] == [iid, kid]
    assert done.instances[jid].data_disks == ()
    assert [d.disk_id for d in done.instances[kid].data_disks] == ["vol-shared00001"]
    last = settle(ok(run(settle(ok(run(done, "detachDisk", instanceId=iid, diskId="vol-shared00001"))),
                         "detachDisk", instanceId=kid, diskId="vol-shared00001")))
    assert last.disks["vol-shared00001"].status == "available"
    assert last.disks["vol-shared00001"].attachments == ()


def test_detach_one_of_several_data_disks_keeps_the_others(world: World) -> None:
    iid, world = instance(world)
    world = attached(world, iid, "vol-ssd0000001", "vol-ssd0000002", "vol-ssd0000003")
    started = ok(run(world, "detachDisk", instanceId=iid, diskId="vol-ssd0000002"))
    assert [(d.disk_id, d.status) for d in started.instances[iid].data_disks] == [
        ("vol-ssd0000001", "attached"), ("vol-ssd0000002", "detaching"), ("vol-ssd0000003", "attached")]
    done = settle(started)
    assert [d.disk_id for d in done.instances[iid].data_disks] == ["vol-ssd0000001", "vol-ssd0000003"]
    assert (done.disks["vol-ssd0000002"].status, done.disks["vol-ssd0000001"].status) == ("available", "in-use")


def test_attach_completion_after_the_instance_vanished_drops_only_that_attachment(world: World) -> None:
    """The completion copes with a side that is gone (a snapshot or an admin edit can remove it)."""
    iid, world = instance(world)
    jid, world = instance(world)
    world = attached(world, iid, "vol-shared00001")
    started = ok(run(world, "attachDisk", instanceId=jid, diskId="vol-shared00001"))
    done = settle(started.evolve(instances=started.instances.delete(jid)).without_task(jid))
    assert [(a.instance_id, a.status) for a in done.disks["vol-shared00001"].attachments] == [(iid, "attached")]
    assert done.disks["vol-shared00001"].status == "in-use"
    assert not done.tasks
    started = ok(run(world, "attachDisk", instanceId=jid, diskId="vol-ssd0000001"))
    done = settle(started.evolve(instances=started.instances.delete(jid)).without_task(jid))
    assert (done.disks["vol-ssd0000001"].attachments, done.disks["vol-ssd0000001"].status) == ((), "available")


def test_attach_completion_after_the_disk_vanished_drops_only_that_data_disk(world: World) -> None:
    iid, world = instance(world)
    world = attached(world, iid, "vol-ssd0000001")
    started = ok(run(world, "attachDisk", instanceId=iid, diskId="vol-ssd0000002"))
    vanished = started.evolve(disks=started.disks.delete("vol-ssd0000002")).without_task("vol-ssd0000002")
    done = settle(vanished)
    assert [(d.disk_id, d.status) for d in done.instances[iid].data_disks] == [("vol-ssd0000001", "attached")]
    assert not done.tasks


@pytest.mark.rule("MODIFY_INSTANCE_DISK_ATTRIBUTE.DATA_DISK_ONLY")
@pytest.mark.rule("MODIFY_INSTANCE_DISK_ATTRIBUTE.ATTACHED_HERE")
def test_check_modify_disks_copes_with_a_missing_instance(world: World) -> None:
    items = [{"diskId": "vol-ssd0000001", "autoDelete": True}, {"diskId": "vol-prepaid0001"}]
    assert rules_of(world, "modifyInstanceDiskAttribute", instanceId="i-nothere0001", dataDisks=items) == [
        "INSTANCE.EXISTS", "MODIFY_INSTANCE_DISK_ATTRIBUTE.PAY_BY_CONFIGURATION"]
