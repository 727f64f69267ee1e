"""attachDisk, detachDisk, modifyInstanceDiskAttribute: one passing and one failing example per rule."""

from __future__ import annotations

from dataclasses import replace

import pytest
from helpers import instance, ok, refused, run

from vmrules import World, settle
from vmrules.builders import add_disk
from vmrules.model import Charge

FA = "FAILED_PRECONDITION"
IA = "INVALID_ARGUMENT"
NF = "NOT_FOUND"
DISKS_1A = ("vol-ssd0000001", "vol-ssd0000002", "vol-ssd0000003", "vol-ssd0000004", "vol-ssd0000005",
            "vol-hdd0000001", "vol-hdd0000002", "vol-hdd0000003", "vol-hdd0000004", "vol-hdd0000005")


def attached(world: World, iid: str, *disk_ids: str) -> World:
    for disk_id in disk_ids:
        world = settle(ok(run(world, "attachDisk", instanceId=iid, diskId=disk_id)))
    return world


# ---- attachDisk -------------------------------------------------------------------------------------


def test_attach_goes_attaching_then_attached(world: World) -> None:
    iid, world = instance(world)
    out = ok(run(world, "attachDisk", instanceId=iid, diskId="vol-ssd0000001"))
    dd = out.instances[iid].data_disks
    assert [(d.disk_id, d.device_name, d.status, d.auto_delete) for d in dd] == [
        ("vol-ssd0000001", "vdb", "attaching", False)]
    disk = out.disks["vol-ssd0000001"]
    assert disk.status == "available" and [a.status for a in disk.attachments] == ["attaching"]
    assert out.busy(iid) and out.busy("vol-ssd0000001")
    done = settle(out)
    assert done.instances[iid].data_disks[0].status == "attached"
    assert done.disks["vol-ssd0000001"].status == "in-use"
    assert [(a.instance_id, a.status) for a in done.disks["vol-ssd0000001"].attachments] == [(iid, "attached")]
    assert not done.tasks


@pytest.mark.rule("DISK.EXISTS")
def test_attach_unknown_or_foreign_disk_is_not_found(world: World) -> None:
    iid, world = instance(world)
    refused(run(world, "attachDisk", instanceId=iid, diskId="vol-nothere00"), "DISK.EXISTS", NF)
    refused(run(world, "attachDisk", instanceId=iid, diskId="vol-bobssd0001"), "DISK.EXISTS", NF)
    ok(run(world, "attachDisk", instanceId=iid, diskId="vol-ssd0000001"))


@pytest.mark.rule("ATTACH_DISK.DEVICE_NAME_FORMAT")
@pytest.mark.parametrize("name", ["vda", "sdb", "vdbn", "vd", "VDB", "vdzz"])
def test_attach_device_name_format(world: World, name: str) -> None:
    iid, world = instance(world)
    out = run(world, "attachDisk", instanceId=iid, diskId="vol-ssd0000001", deviceName=name)
    refused(out, "ATTACH_DISK.DEVICE_NAME_FORMAT", IA)
    assert out.error is not None and out.error.field == "deviceName"


@pytest.mark.parametrize("name", ["vdb", "vdz", "vdaa", "vdbm"])
def test_attach_device_name_accepted(world: World, name: str) -> None:
    iid, world = instance(world)
    out = settle(ok(run(world, "attachDisk", instanceId=iid, diskId="vol-ssd0000001", deviceName=name)))
    assert out.instances[iid].data_disks[0].device_name == name


@pytest.mark.rule("ATTACH_DISK.SAME_AZ")
def test_attach_needs_same_az(world: World) -> None:
    iid, world = instance(world)
    refused(run(world, "attachDisk", instanceId=iid, diskId="vol-ssd1b00001"), "ATTACH_DISK.SAME_AZ", IA)
    jid, world = instance(world, az="cn-north-1b", subnet_id="subnet-main00001b")
    ok(run(world, "attachDisk", instanceId=jid, diskId="vol-ssd1b00001"))


@pytest.mark.rule("ATTACH_DISK.STATUS_RUNNING_OR_STOPPED")
def test_attach_needs_running_or_stopped(world: World) -> None:
    iid, world = instance(world)
    stopping = ok(run(world, "stopInstance", instanceId=iid))
    refused(run(stopping.without_task(iid), "attachDisk", instanceId=iid, diskId="vol-ssd0000001"),
            "ATTACH_DISK.STATUS_RUNNING_OR_STOPPED", FA)
    ok(run(settle(stopping), "attachDisk", instanceId=iid, diskId="vol-ssd0000001"))


@pytest.mark.rule("ATTACH_DISK.NO_TASK")
def test_attach_refused_while_instance_busy(world: World) -> None:
    iid, world = instance(world)
    busy = ok(run(world, "attachDisk", instanceId=iid, diskId="vol-ssd0000001"))
    refused(run(busy, "attachDisk", instanceId=iid, diskId="vol-ssd0000002"), "ATTACH_DISK.NO_TASK", FA)
    ok(run(settle(busy), "attachDisk", instanceId=iid, diskId="vol-ssd0000002"))


@pytest.mark.rule("ATTACH_DISK.DISK_NO_TASK")
def test_attach_refused_while_disk_busy(world: World) -> None:
    iid, world = instance(world)
    jid, world = instance(world)
    busy = ok(run(world, "attachDisk", instanceId=iid, diskId="vol-shared00001"))
    refused(run(busy, "attachDisk", instanceId=jid, diskId="vol-shared00001"), "ATTACH_DISK.DISK_NO_TASK", FA)
    ok(run(settle(busy), "attachDisk", instanceId=jid, diskId="vol-shared00001"))


@pytest.mark.rule("ATTACH_DISK.NOT_ATTACHED_HERE")
def test_attach_twice_to_the_same_instance(world: World) -> None:
    iid, world = instance(world)
    world = attached(world, iid, "vol-shared00001")
    refused(run(world, "attachDisk", instanceId=iid, diskId="vol-shared00001"), "ATTACH_DISK.NOT_ATTACHED_HERE",
            FA)
    jid, world = instance(world)
    ok(run(world, "attachDisk", instanceId=jid, diskId="vol-shared00001"))


@pytest.mark.rule("ATTACH_DISK.DISK_AVAILABLE")
def test_attach_needs_available_disk(world: World) -> None:
    iid, world = instance(world)
    jid, world = instance(world)
    world = attached(world, iid, "vol-ssd0000001")
    out = run(world, "attachDisk", instanceId=jid, diskId="vol-ssd0000001")
    refused(out, "ATTACH_DISK.DISK_AVAILABLE", FA)
    assert out.error is not None and iid in out.error.message
    creating = world.evolve(disks=world.disks.set("vol-ssd0000002",
                                                  replace(world.disks["vol-ssd0000002"], status="creating")))
    refused(run(creating, "attachDisk", instanceId=jid, diskId="vol-ssd0000002"), "ATTACH_DISK.DISK_AVAILABLE", FA)
    ok(run(world, "attachDisk", instanceId=jid, diskId="vol-ssd0000002"))


@pytest.mark.rule("ATTACH_DISK.MULTI_ATTACH_LIMIT")
def test_multi_attach_disk_serves_at_most_16(world: World) -> None:
    ids = []
    for _ in range(17):
        iid, world = instance(world)
        ids.append(iid)
    for iid in ids[:16]:
        world = attached(world, iid, "vol-shared00001")
    assert len(world.disks["vol-shared00001"].attachments) == 16
    refused(run(world, "attachDisk", instanceId=ids[16], diskId="vol-shared00001"),
            "ATTACH_DISK.MULTI_ATTACH_LIMIT", FA)
    world = settle(ok(run(world, "detachDisk", instanceId=ids[0], diskId="vol-shared00001")))
    ok(run(world, "attachDisk", instanceId=ids[16], diskId="vol-shared00001"))


@pytest.mark.rule("ATTACH_DISK.DATA_DISK_LIMIT")
def test_data_disk_limit_counts_attachments_in_progress(world: World) -> None:
    iid, world = instance(world)
    world = attached(world, iid, *DISKS_1A[:6])
    in_progress = ok(run(world, "attachDisk", instanceId=iid, diskId=DISKS_1A[6]))
    out = run(in_progress.without_task(iid), "attachDisk", instanceId=iid, diskId=DISKS_1A[7])
    refused(out, "ATTACH_DISK.DATA_DISK_LIMIT", FA)
    assert out.error is not None and "at most 7" in out.error.message
    jid, world = instance(world, system_disk="local", image_id="img-centos7lcl")
    world = attached(world, jid, DISKS_1A[7], DISKS_1A[8], DISKS_1A[9])
    assert len(world.instances[jid].data_disks) == 3


@pytest.mark.rule("ATTACH_DISK.DEVICE_NAME_FREE")
def test_device_name_unique_on_instance(world: World) -> None:
    iid, world = instance(world)
    world = settle(ok(run(world, "attachDisk", instanceId=iid, diskId="vol-ssd0000001", deviceName="vdc")))
    refused(run(world, "attachDisk", instanceId=iid, diskId="vol-ssd0000002", deviceName="vdc"),
            "ATTACH_DISK.DEVICE_NAME_FREE", FA)
    out = settle(ok(run(world, "attachDisk", instanceId=iid, diskId="vol-ssd0000002")))
    assert [d.device_name for d in out.instances[iid].data_disks] == ["vdc", "vdb"]


def test_auto_delete_only_takes_effect_on_pay_by_configuration_non_shared(world: World) -> None:
    iid, world = instance(world)
    world = settle(ok(run(world, "attachDisk", instanceId=iid, diskId="vol-ssd0000001", autoDelete=True)))
    # autoDelete true where it cannot take effect is refused (ATTACH_DISK.AUTO_DELETE_TAKES_EFFECT); left out
    # or false, such disks are attached to survive the instance.
    world = settle(ok(run(world, "attachDisk", instanceId=iid, diskId="vol-prepaid0001")))
    world = settle(ok(run(world, "attachDisk", instanceId=iid, diskId="vol-shared00001", autoDelete=False)))
    assert [d.auto_delete for d in world.instances[iid].data_disks] == [True, False, False]


# ---- detachDisk -------------------------------------------------------------------------------------


def test_detach_goes_detaching_then_available(world: World) -> None:
    iid, world = instance(world)
    world = attached(world, iid, "vol-ssd0000001")
    out = ok(run(world, "detachDisk", instanceId=iid, diskId="vol-ssd0000001"))
    assert out.instances[iid].data_disks[0].status == "detaching"
    assert out.disks["vol-ssd0000001"].attachments[0].status == "detaching"
    done = settle(out)
    assert done.instances[iid].data_disks == ()
    assert done.disks["vol-ssd0000001"].status == "available" and done.disks["vol-ssd0000001"].attachments == ()


@pytest.mark.rule("DETACH_DISK.DATA_DISK_ONLY")
def test_detach_refuses_system_disk(world: World) -> None:
    iid, world = instance(world)
    sys_disk = world.instances[iid].system_disk.disk_id
    assert sys_disk is not None
    refused(run(world, "detachDisk", instanceId=iid, diskId=sys_disk), "DETACH_DISK.DATA_DISK_ONLY", IA)
    world = attached(world, iid, "vol-ssd0000001")
    ok(run(world, "detachDisk", instanceId=iid, diskId="vol-ssd0000001"))


@pytest.mark.rule("DETACH_DISK.ATTACHED_HERE")
def test_detach_needs_attachment_to_that_instance(world: World) -> None:
    iid, world = instance(world)
    jid, world = instance(world)
    world = attached(world, iid, "vol-ssd0000001")
    refused(run(world, "detachDisk", instanceId=jid, diskId="vol-ssd0000001"), "DETACH_DISK.ATTACHED_HERE", FA)
    refused(run(world, "detachDisk", instanceId=iid, diskId="vol-ssd0000002"), "DETACH_DISK.ATTACHED_HERE", FA)
    ok(run(world, "detachDisk", instanceId=iid, diskId="vol-ssd0000001"))


@pytest.mark.rule("DETACH_DISK.STATUS_RUNNING_OR_STOPPED")
def test_detach_needs_running_or_stopped(world: World) -> None:
    iid, world = instance(world)
    world = attached(world, iid, "vol-ssd0000001")
    rebooting = ok(run(world, "rebootInstance", instanceId=iid)).without_task(iid)
    refused(run(rebooting, "detachDisk", instanceId=iid, diskId="vol-ssd0000001"),
            "DETACH_DISK.STATUS_RUNNING_OR_STOPPED", FA)
    ok(run(world, "detachDisk", instanceId=iid, diskId="vol-ssd0000001"))


@pytest.mark.rule("DETACH_DISK.NO_TASK")
def test_detach_refused_while_instance_busy(world: World) -> None:
    iid, world = instance(world)
    world = attached(world, iid, "vol-ssd0000001")
    busy = ok(run(world, "attachDisk", instanceId=iid, diskId="vol-ssd0000002"))
    refused(run(busy, "detachDisk", instanceId=iid, diskId="vol-ssd0000001"), "DETACH_DISK.NO_TASK", FA)
    ok(run(settle(busy), "detachDisk", instanceId=iid, diskId="vol-ssd0000001"))


@pytest.mark.rule("DETACH_DISK.DISK_NO_TASK")
def test_detach_refused_while_disk_busy(world: World) -> None:
    iid, world = instance(world)
    jid, world = instance(world)
    world = attached(world, iid, "vol-shared00001")
    busy = ok(run(world, "attachDisk", instanceId=jid, diskId="vol-shared00001"))
    refused(run(busy, "detachDisk", instanceId=iid, diskId="vol-shared00001"), "DETACH_DISK.DISK_NO_TASK", FA)
    ok(run(settle(busy), "detachDisk", instanceId=iid, diskId="vol-shared00001"))


def test_detach_one_of_a_shared_disk_keeps_it_in_use(world: World) -> None:
    iid, world = instance(world)
    jid, world = instance(world)
    world = attached(world, iid, "vol-shared00001")
    world = attached(world, jid, "vol-shared00001")
    world = settle(ok(run(world, "detachDisk", instanceId=iid, diskId="vol-shared00001")))
    disk = world.disks["vol-shared00001"]
    assert disk.status == "in-use" and [a.instance_id for a in disk.attachments] == [jid]


# ---- modifyInstanceDiskAttribute --------------------------------------------------------------------


def _modify(world: World, iid: str, *items: dict[str, object]) -> World:
    return ok(run(world, "modifyInstanceDiskAttribute", instanceId=iid, dataDisks=list(items)))


@pytest.mark.effect("MODIFY_INSTANCE_DISK_ATTRIBUTE.SETS_AUTO_DELETE")
def test_modify_changes_auto_delete(world: World) -> None:
    iid, world = instance(world)
    world = attached(world, iid, "vol-ssd0000001", "vol-ssd0000002")
    world = _modify(world, iid, {"diskId": "vol-ssd0000002", "autoDelete": True})
    assert [d.auto_delete for d in world.instances[iid].data_disks] == [False, True]
    unchanged = _modify(world, iid, {"diskId": "vol-ssd0000002"})
    assert unchanged.instances[iid] == world.instances[iid]
    assert _modify(world, iid).instances[iid] == world.instances[iid]


@pytest.mark.rule("MODIFY_INSTANCE_DISK_ATTRIBUTE.DISK_ID_REQUIRED")
def test_modify_item_needs_disk_id(world: World) -> None:
    iid, world = instance(world)
    world = attached(world, iid, "vol-ssd0000001")
    out = run(world, "modifyInstanceDiskAttribute", instanceId=iid,
              dataDisks=[{"diskId": "vol-ssd0000001", "autoDelete": True}, {"autoDelete": True}])
    refused(out, "MODIFY_INSTANCE_DISK_ATTRIBUTE.DISK_ID_REQUIRED", IA)
    assert out.error is not None and out.error.field == "dataDisks.1.diskId"
    _modify(world, iid, {"diskId": "vol-ssd0000001", "autoDelete": True})


@pytest.mark.rule("MODIFY_INSTANCE_DISK_ATTRIBUTE.DISK_ID_UNIQUE")
def test_modify_item_disk_once(world: World) -> None:
    iid, world = instance(world)
    world = attached(world, iid, "vol-ssd0000001")
    item = {"diskId": "vol-ssd0000001", "autoDelete": True}
    refused(run(world, "modifyInstanceDiskAttribute", instanceId=iid, dataDisks=[item, item]),
            "MODIFY_INSTANCE_DISK_ATTRIBUTE.DISK_ID_UNIQUE", IA)
    _modify(world, iid, item)


@pytest.mark.rule("MODIFY_INSTANCE_DISK_ATTRIBUTE.DISK_EXISTS")
def test_modify_unknown_disk_names_the_item(world: World) -> None:
    iid, world = instance(world)
    world = attached(world, iid, "vol-ssd0000001")
    out = run(world, "modifyInstanceDiskAttribute", instanceId=iid,
              dataDisks=[{"diskId": "vol-ssd0000001", "autoDelete": True},
                         {"diskId": "vol-bobssd0001", "autoDelete": True}])
    refused(out, "MODIFY_INSTANCE_DISK_ATTRIBUTE.DISK_EXISTS", NF)
    assert out.error is not None and out.error.field == "dataDisks.1.diskId"
    _modify(world, iid, {"diskId": "vol-ssd0000001", "autoDelete": True})


@pytest.mark.rule("MODIFY_INSTANCE_DISK_ATTRIBUTE.DATA_DISK_ONLY")
def test_modify_refuses_system_disk(world: World) -> None:
    iid, world = instance(world)
    sys_disk = world.instances[iid].system_disk.disk_id
    refused(run(world, "modifyInstanceDiskAttribute", instanceId=iid,
                dataDisks=[{"diskId": sys_disk, "autoDelete": False}]),
            "MODIFY_INSTANCE_DISK_ATTRIBUTE.DATA_DISK_ONLY", IA)
    world = attached(world, iid, "vol-ssd0000001")
    _modify(world, iid, {"diskId": "vol-ssd0000001", "autoDelete": False})


@pytest.mark.rule("MODIFY_INSTANCE_DISK_ATTRIBUTE.PAY_BY_CONFIGURATION")
def test_modify_refuses_prepaid_disk(world: World) -> None:
    iid, world = instance(world)
    world = attached(world, iid, "vol-prepaid0001", "vol-ssd0000001")
    refused(run(world, "modifyInstanceDiskAttribute", instanceId=iid,
                dataDisks=[{"diskId": "vol-prepaid0001", "autoDelete": True}]),
            "MODIFY_INSTANCE_DISK_ATTRIBUTE.PAY_BY_CONFIGURATION", IA)
    _modify(world, iid, {"diskId": "vol-ssd0000001", "autoDelete": True})


@pytest.mark.rule("MODIFY_INSTANCE_DISK_ATTRIBUTE.NOT_SHARED")
def test_modify_refuses_shared_disk(world: World) -> None:
    iid, world = instance(world)
    world = attached(world, iid, "vol-shared00001", "vol-ssd0000001")
    refused(run(world, "modifyInstanceDiskAttribute", instanceId=iid,
                dataDisks=[{"diskId": "vol-shared00001", "autoDelete": True}]),
            "MODIFY_INSTANCE_DISK_ATTRIBUTE.NOT_SHARED", IA)
    _modify(world, iid, {"diskId": "vol-ssd0000001", "autoDelete": True})


@pytest.mark.rule("MODIFY_INSTANCE_DISK_ATTRIBUTE.ATTACHED_HERE")
def test_modify_refuses_unattached_disk(world: World) -> None:
    iid, world = instance(world)
    world = attached(world, iid, "vol-ssd0000001")
    out = run(world, "modifyInstanceDiskAttribute", instanceId=iid,
              dataDisks=[{"diskId": "vol-ssd0000002", "autoDelete": True}])
    refused(out, "MODIFY_INSTANCE_DISK_ATTRIBUTE.ATTACHED_HERE", FA)
    assert out.error is not None and out.error.field == "dataDisks.0.diskId"
    _modify(world, iid, {"diskId": "vol-ssd0000001", "autoDelete": True})


def test_modify_accepts_sdk_parameter_objects(world: World) -> None:
    from jdcloud_sdk.services.vm.apis.ModifyInstanceDiskAttributeRequest import (
        ModifyInstanceDiskAttributeParameters,
    )
    from jdcloud_sdk.services.vm.models.InstanceDiskAttribute import InstanceDiskAttribute

    from vmrules import execute

    iid, world = instance(world)
    world = attached(world, iid, "vol-ssd0000001")
    params = ModifyInstanceDiskAttributeParameters("cn-north-1", iid)
    params.setDataDisks([InstanceDiskAttribute("vol-ssd0000001", True)])
    out = ok(execute(world, "modifyInstanceDiskAttribute", params))
    assert out.instances[iid].data_disks[0].auto_delete is True


def test_bad_shapes_are_invalid_argument(world: World) -> None:
    iid, world = instance(world)
    for params in ({"diskId": 5}, {"deviceName": "vdb"}, {"diskId": "vol-ssd0000001", "autoDelete": "yes"}):
        out = run(world, "attachDisk", instanceId=iid, **params)
        assert out.error is not None and out.error.status == IA
    out = run(world, "modifyInstanceDiskAttribute", instanceId=iid, dataDisks=[{"diskId": 1}])
    assert out.error is not None and out.error.status == IA and out.error.field == "dataDisks.0.diskId"


def test_added_disks_attach_like_default_ones(world: World) -> None:
    iid, world = instance(world)
    disk_id, world = add_disk(world, owner="alice", region="cn-north-1", az="cn-north-1a", disk_type="ssd",
                              size_gb=50, charge=Charge())
    world = attached(world, iid, disk_id)
    assert world.disks[disk_id].status == "in-use"
