"""One behaviour per situation: where several operations meet the same situation (a data-disk device name, an
unknown instance type, autoDelete on a disk where it cannot take effect), they all answer it the same way.
docs/decisions/consistency.md says which behaviour was chosen and why."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from helpers import instance, ok, refused, run

from vmrules import Outcome, World, check, settle
from vmrules.builders import add_disk
from vmrules.consistency import inconsistencies
from vmrules.model import Charge, ChargeMode

IA, NF = "INVALID_ARGUMENT", "NOT_FOUND"
PREPAID = {"chargeMode": "prepaid_by_duration", "chargeUnit": "month", "chargeDuration": 1}


def _spec(**changes: Any) -> dict[str, Any]:
    spec = {"name": "web", "az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": "img-centos7cld",
            "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
            "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}}}
    return {**spec, **changes}


def _data_disk(**changes: Any) -> dict[str, Any]:
    return {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 20}, **changes}


# ---- data-disk device names: every operation that names one takes vdb..vdz and vdaa..vdbm ---------------

DEVICE_NAMES_ACCEPTED = ["vdb", "vdz", "vdaa", "vdaz", "vdba", "vdbm"]
DEVICE_NAMES_REFUSED = ["vda", "vdbn", "vdca", "sdb", "vd", "vdB"]


def _attach(world: World, name: str) -> Outcome:
    iid, world = instance(world, status="stopped")
    return run(world, "attachDisk", instanceId=iid, diskId="vol-ssd0000001", deviceName=name)


def _create_instance(world: World, name: str) -> Outcome:
    return run(world, "createInstances", instanceSpec=_spec(dataDisks=[_data_disk(deviceName=name)]))


def _create_image(world: World, name: str) -> Outcome:
    iid, world = instance(world, status="stopped")
    spec = {"deviceName": name, "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 20}}
    return run(world, "createImage", instanceId=iid, name="img", dataDisks=[spec])


DEVICE_NAME_OPERATIONS: list[tuple[str, Callable[[World, str], Outcome], str]] = [
    ("attachDisk", _attach, "ATTACH_DISK.DEVICE_NAME_FORMAT"),
    ("createInstances", _create_instance, "CREATE_INSTANCES.DATA_DISK_DEVICE_NAME"),
    ("createImage", _create_image, "CREATE_IMAGE.DATA_DISK_DEVICE_NAME"),
]


@pytest.mark.rule("ATTACH_DISK.DEVICE_NAME_FORMAT")
@pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_DEVICE_NAME")
@pytest.mark.rule("CREATE_IMAGE.DATA_DISK_DEVICE_NAME")
@pytest.mark.parametrize(("operation", "call", "rule_id"), DEVICE_NAME_OPERATIONS, ids=[o[0] for o in
                                                                                         DEVICE_NAME_OPERATIONS])
def test_every_operation_takes_the_same_device_names(world: World, operation: str,
                                                      call: Callable[[World, str], Outcome], rule_id: str) -> None:
    for name in DEVICE_NAMES_ACCEPTED:
        ok(call(world, name))
    for name in DEVICE_NAMES_REFUSED:
        refused(call(world, name), rule_id, IA)


def test_a_disk_attached_as_vdaa_can_be_left_out_of_an_image(world: World) -> None:
    iid, world = instance(world, status="stopped")
    world = settle(ok(run(world, "attachDisk", instanceId=iid, diskId="vol-ssd0000001", deviceName="vdaa")))
    out = run(world, "createImage", instanceId=iid, name="img", dataDisks=[{"deviceName": "vdaa", "noDevice": True}])
    image = ok(out).images[out.result["imageId"]]
    assert image.data_disks == ()


# ---- an unknown instance type is NOT_FOUND wherever it is named ----------------------------------------


def _create_typed(world: World, itype: str) -> Outcome:
    return run(world, "createInstances", instanceSpec=_spec(instanceType=itype))


def _resize_typed(world: World, itype: str) -> Outcome:
    iid, world = instance(world, status="stopped")
    return run(world, "resizeInstance", instanceId=iid, instanceType=itype)


TYPE_OPERATIONS: list[tuple[str, Callable[[World, str], Outcome], str]] = [
    ("createInstances", _create_typed, "CREATE_INSTANCES.TYPE_EXISTS"),
    ("resizeInstance", _resize_typed, "RESIZE_INSTANCE.TYPE_EXISTS"),
]


@pytest.mark.rule("CREATE_INSTANCES.TYPE_EXISTS")
@pytest.mark.rule("RESIZE_INSTANCE.TYPE_EXISTS")
@pytest.mark.parametrize(("operation", "call", "rule_id"), TYPE_OPERATIONS, ids=[o[0] for o in TYPE_OPERATIONS])
def test_an_unknown_instance_type_is_not_found_everywhere(world: World, operation: str,
                                                          call: Callable[[World, str], Outcome], rule_id: str) -> None:
    out = call(world, "g.n9.enormous")
    refused(out, rule_id, NF)
    assert out.error is not None and out.error.message == "instance type 'g.n9.enormous' not found; see " \
        "describeInstanceTypes"
    ok(call(world, "g.n2.large"))


# ---- autoDelete true on a prepaid or multi-attach disk is refused wherever it is asked for --------------


def _attach_auto_delete(world: World, disk_id: str, auto_delete: bool) -> Outcome:
    iid, world = instance(world, status="stopped")
    return run(world, "attachDisk", instanceId=iid, diskId=disk_id, autoDelete=auto_delete)


def _modify_auto_delete(world: World, disk_id: str, auto_delete: bool) -> Outcome:
    iid, world = instance(world, status="stopped")
    world = settle(ok(run(world, "attachDisk", instanceId=iid, diskId=disk_id)))
    return run(world, "modifyInstanceDiskAttribute", instanceId=iid,
               dataDisks=[{"diskId": disk_id, "autoDelete": auto_delete}])


AUTO_DELETE_OPERATIONS: list[tuple[str, Callable[[World, str, bool], Outcome], dict[str, str]]] = [
    ("attachDisk", _attach_auto_delete,
     {"vol-prepaid0001": "ATTACH_DISK.AUTO_DELETE_TAKES_EFFECT",
      "vol-shared00001": "ATTACH_DISK.AUTO_DELETE_TAKES_EFFECT"}),
    ("modifyInstanceDiskAttribute", _modify_auto_delete,
     {"vol-prepaid0001": "MODIFY_INSTANCE_DISK_ATTRIBUTE.PAY_BY_CONFIGURATION",
      "vol-shared00001": "MODIFY_INSTANCE_DISK_ATTRIBUTE.NOT_SHARED"}),
]


@pytest.mark.rule("ATTACH_DISK.AUTO_DELETE_TAKES_EFFECT")
@pytest.mark.parametrize(("operation", "call", "rules"), AUTO_DELETE_OPERATIONS,
                         ids=[o[0] for o in AUTO_DELETE_OPERATIONS])
def test_auto_delete_true_where_it_cannot_take_effect_is_refused(
        world: World, operation: str, call: Callable[[World, str, bool], Outcome], rules: dict[str, str]) -> None:
    for disk_id, rule_id in rules.items():
        refused(call(world, disk_id, True), rule_id, IA)
    ok(call(world, "vol-ssd0000001", True))


# Every billing mode, shared or not: autoDelete true is taken exactly where deleteInstance then deletes the disk.
AUTO_DELETE_DISKS: list[tuple[ChargeMode, bool, str | None]] = [
    ("postpaid_by_duration", False, None),
    ("postpaid_by_usage", False, "MODIFY_INSTANCE_DISK_ATTRIBUTE.PAY_BY_CONFIGURATION"),
    ("prepaid_by_duration", False, "MODIFY_INSTANCE_DISK_ATTRIBUTE.PAY_BY_CONFIGURATION"),
    ("postpaid_by_duration", True, "MODIFY_INSTANCE_DISK_ATTRIBUTE.NOT_SHARED"),
    ("postpaid_by_usage", True, "MODIFY_INSTANCE_DISK_ATTRIBUTE.PAY_BY_CONFIGURATION"),
    ("prepaid_by_duration", True, "MODIFY_INSTANCE_DISK_ATTRIBUTE.PAY_BY_CONFIGURATION"),
]


def _disk_billed(world: World, mode: ChargeMode, shared: bool) -> tuple[str, World]:
    expiry = world.clock + 86400 * 30 if mode == "prepaid_by_duration" else None
    return add_disk(world, owner="alice", region="cn-north-1", az="cn-north-1a", disk_type="ssd", size_gb=20,
                    multi_attachable=shared, charge=Charge(mode, "normal", world.clock, expiry))


@pytest.mark.rule("ATTACH_DISK.AUTO_DELETE_TAKES_EFFECT")
@pytest.mark.rule("MODIFY_INSTANCE_DISK_ATTRIBUTE.PAY_BY_CONFIGURATION")
@pytest.mark.rule("MODIFY_INSTANCE_DISK_ATTRIBUTE.NOT_SHARED")
@pytest.mark.effect("DELETE_INSTANCE.REMOVES_AUTO_DELETE_DISKS", "DELETE_INSTANCE.KEEPS_OTHER_DISKS")
@pytest.mark.parametrize(("mode", "shared", "modify_rule"), AUTO_DELETE_DISKS,
                         ids=[f"{m}{'-shared' if s else ''}" for m, s, _ in AUTO_DELETE_DISKS])
def test_auto_delete_true_is_taken_exactly_where_delete_instance_deletes_the_disk(
        world: World, mode: ChargeMode, shared: bool, modify_rule: str | None) -> None:
    iid, world = instance(world, status="stopped")
    disk_id, world = _disk_billed(world, mode, shared)
    attach = run(world, "attachDisk", instanceId=iid, diskId=disk_id, autoDelete=True)
    plain = settle(ok(run(world, "attachDisk", instanceId=iid, diskId=disk_id)))
    modify = run(plain, "modifyInstanceDiskAttribute", instanceId=iid,
                 dataDisks=[{"diskId": disk_id, "autoDelete": True}])
    if modify_rule is None:
        for out in (attach, modify):
            after = settle(ok(run(settle(ok(out)), "deleteInstance", instanceId=iid)))
            assert disk_id not in after.disks
        return
    refused(attach, "ATTACH_DISK.AUTO_DELETE_TAKES_EFFECT", IA)
    refused(modify, modify_rule, IA)
    # a disk of more than one kind is refused once, for its billing
    assert [e.rule for e in check(plain, "modifyInstanceDiskAttribute", {
        "regionId": "cn-north-1", "instanceId": iid, "dataDisks": [{"diskId": disk_id, "autoDelete": True}]})] \
        == [modify_rule]
    after = settle(ok(run(plain, "deleteInstance", instanceId=iid)))
    assert after.disks[disk_id].status == "available" and after.disks[disk_id].attachments == ()


def test_a_disk_billed_by_usage_is_refused_for_its_billing(world: World) -> None:
    iid, world = instance(world, status="stopped")
    disk_id, world = _disk_billed(world, "postpaid_by_usage", False)
    out = run(world, "attachDisk", instanceId=iid, diskId=disk_id, autoDelete=True)
    assert out.error is not None and out.error.message == (
        f"autoDelete is true, but disk {disk_id} cannot be deleted with its instance: it is billed by usage "
        "(postpaid_by_usage), and only a disk billed by configuration (postpaid_by_duration) is deleted with its "
        "instance")
    world = settle(ok(run(world, "attachDisk", instanceId=iid, diskId=disk_id, autoDelete=False)))
    assert [d.auto_delete for d in world.instances[iid].data_disks] == [False]
    assert list(inconsistencies(world)) == []


def test_attach_auto_delete_false_on_a_prepaid_disk_is_what_happens_anyway(world: World) -> None:
    world = ok(_attach_auto_delete(world, "vol-prepaid0001", False))
    assert not world.instances[next(iter(world.instances))].data_disks[0].auto_delete


@pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_AUTO_DELETE")
def test_create_instances_data_disk_auto_delete_true_only_where_it_takes_effect(world: World) -> None:
    shared = _data_disk(autoDelete=True)
    shared["cloudDiskSpec"] = {**shared["cloudDiskSpec"], "multiAttachable": True}
    out = run(world, "createInstances", instanceSpec=_spec(dataDisks=[shared]))
    refused(out, "CREATE_INSTANCES.DATA_DISK_AUTO_DELETE", IA)
    assert out.error is not None and out.error.field == "instanceSpec.dataDisks.0.autoDelete"
    refused(run(world, "createInstances", instanceSpec=_spec(charge=PREPAID, dataDisks=[_data_disk(autoDelete=True)])),
            "CREATE_INSTANCES.DATA_DISK_AUTO_DELETE", IA)
    # Left out, autoDelete takes its default: true where it takes effect, false where it cannot.
    ok(run(world, "createInstances", instanceSpec=_spec(charge=PREPAID, dataDisks=[_data_disk()])))
    ok(run(world, "createInstances", instanceSpec=_spec(dataDisks=[_data_disk(autoDelete=True)])))
    ok(run(world, "createInstances", instanceSpec=_spec(dataDisks=[{**shared, "autoDelete": False}])))

