"""Effects the other test files do not cover: every status change checked against its declaration (before, while
the task runs, after settle), and the defaults of createInstances, attachDisk and createImage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from helpers import NORTH, instance, ok, run

from vmrules import World, execute, settle
from vmrules.builders import DataDiskPlan
from vmrules.catalogue import EFFECT_CATALOGUE
from vmrules.effects import StatusChange
from vmrules.views import instance_view

SPEC: dict[str, Any] = {
    "name": "web", "az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": "img-centos7cld",
    "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
    "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd"}},
}


def create(world: World, **spec: Any) -> tuple[list[str], World]:
    out = execute(world, "createInstances", {"regionId": NORTH, "instanceSpec": {**SPEC, **spec}})
    return out.result.get("instanceIds", []), ok(out)


def status_of(world: World, change: StatusChange, resource_id: str, other: str | None) -> str | None:
    """The status of the resource a StatusChange is about (None: absent)."""
    if change.resource == "instance":
        inst = world.instances.get(resource_id)
        return None if inst is None else inst.status
    if change.resource == "image":
        image = world.images.get(resource_id)
        return None if image is None else image.status
    inst = world.instances.get(resource_id)  # a disk attachment: the instance's entry for disk ``other``
    entry = None if inst is None else next((d for d in inst.data_disks if d.disk_id == other), None)
    return None if entry is None else entry.status


# A scenario: the world before, the operation and its params, and (resource id, disk id) of what changes,
# read from the world after the call and its result.
Scenario = tuple[World, str, dict[str, Any], Callable[[dict[str, Any]], tuple[str, str | None]]]


def stopped_instance(world: World) -> tuple[str, World]:
    return instance(world, status="stopped")


def scenario(effect_id: str) -> Scenario:
    world = World.default()
    iid, running = instance(world)
    sid, stopped = stopped_instance(world)
    same = {"instanceId": iid}
    on_stopped = {"instanceId": sid}
    def fixed(rid: str) -> Callable[[dict[str, Any]], tuple[str, str | None]]:
        return lambda _: (rid, None)
    if effect_id == "STOP_INSTANCE.STOPS":
        return running, "stopInstance", same, fixed(iid)
    if effect_id == "START_INSTANCE.STARTS":
        return stopped, "startInstance", on_stopped, fixed(sid)
    if effect_id == "REBOOT_INSTANCE.REBOOTS":
        return running, "rebootInstance", same, fixed(iid)
    if effect_id == "DELETE_INSTANCE.DELETES":
        return running, "deleteInstance", same, fixed(iid)
    if effect_id == "RESIZE_INSTANCE.RESIZES":
        return stopped, "resizeInstance", {**on_stopped, "instanceType": "g.n2.large"}, fixed(sid)
    if effect_id == "REBUILD_INSTANCE.REBUILDS":
        return stopped, "rebuildInstance", {**on_stopped, "imageId": "img-centos7cld"}, fixed(sid)
    if effect_id == "CREATE_INSTANCES.RUNNING_WHEN_CREATED":
        params = {"instanceSpec": SPEC}
        return world, "createInstances", params, lambda result: (result["instanceIds"][0], None)
    if effect_id == "ATTACH_DISK.ATTACHES":
        params = {**same, "diskId": "vol-ssd0000001"}
        return running, "attachDisk", params, lambda _: (iid, "vol-ssd0000001")
    if effect_id == "DETACH_DISK.DETACHES":
        attached = settle(ok(run(running, "attachDisk", instanceId=iid, diskId="vol-ssd0000001")))
        return attached, "detachDisk", {**same, "diskId": "vol-ssd0000001"}, lambda _: (iid, "vol-ssd0000001")
    if effect_id == "CREATE_IMAGE.CREATES":
        return stopped, "createImage", {**on_stopped, "name": "img"}, lambda result: (result["imageId"], None)
    made = run(stopped, "createImage", instanceId=sid, name="img")
    image_id, with_image = made.result["imageId"], settle(ok(made))
    if effect_id == "COPY_IMAGES.COPIES":
        params = {"sourceImageIds": [image_id], "destinationRegion": "cn-east-2"}
        return with_image, "copyImages", params, lambda result: (result["copyImages"][0]["destinationImageId"], None)
    if effect_id == "DELETE_IMAGE.DELETES":
        return with_image, "deleteImage", {"imageId": image_id}, fixed(image_id)
    raise AssertionError(f"no scenario for {effect_id}")




@pytest.mark.parametrize("effect_id", [
        pytest.param("STOP_INSTANCE.STOPS", marks=pytest.mark.effect("STOP_INSTANCE.STOPS")),
        pytest.param("START_INSTANCE.STARTS", marks=pytest.mark.effect("START_INSTANCE.STARTS")),
        pytest.param("REBOOT_INSTANCE.REBOOTS", marks=pytest.mark.effect("REBOOT_INSTANCE.REBOOTS")),
        pytest.param("DELETE_INSTANCE.DELETES", marks=pytest.mark.effect("DELETE_INSTANCE.DELETES")),
        pytest.param("RESIZE_INSTANCE.RESIZES", marks=pytest.mark.effect("RESIZE_INSTANCE.RESIZES")),
        pytest.param("REBUILD_INSTANCE.REBUILDS", marks=pytest.mark.effect("REBUILD_INSTANCE.REBUILDS")),
        pytest.param("CREATE_INSTANCES.RUNNING_WHEN_CREATED",
                     marks=pytest.mark.effect("CREATE_INSTANCES.RUNNING_WHEN_CREATED")),
        pytest.param("ATTACH_DISK.ATTACHES", marks=pytest.mark.effect("ATTACH_DISK.ATTACHES")),
        pytest.param("DETACH_DISK.DETACHES", marks=pytest.mark.effect("DETACH_DISK.DETACHES")),
        pytest.param("CREATE_IMAGE.CREATES", marks=pytest.mark.effect("CREATE_IMAGE.CREATES")),
        pytest.param("COPY_IMAGES.COPIES", marks=pytest.mark.effect("COPY_IMAGES.COPIES")),
        pytest.param("DELETE_IMAGE.DELETES", marks=pytest.mark.effect("DELETE_IMAGE.DELETES")),
])
def test_status_change_is_what_the_engine_does(effect_id: str) -> None:
    entry = EFFECT_CATALOGUE[effect_id]
    change = entry.effect.change
    assert change is not None
    world, operation, params, which = scenario(effect_id)
    out = execute(world, operation, {"regionId": NORTH, **params})
    assert out.error is None, out.error
    resource_id, other = which(out.result)
    before = status_of(world, change, resource_id, other)
    if change.before:
        assert before in change.before
    else:
        assert before is None  # the call creates it
    assert status_of(out.world, change, resource_id, other) == change.during
    kinds = {t.kind for t in out.world.tasks.values() if t.resource_id == resource_id}
    assert (change.task in kinds) if change.task is not None else not kinds
    assert status_of(settle(out.world), change, resource_id, other) == change.after


def test_every_status_effect_has_a_scenario() -> None:
    declared = {e.id for e in (x.effect for x in EFFECT_CATALOGUE.values()) if e.change is not None}
    marks = test_status_change_is_what_the_engine_does.pytestmark  # type: ignore[attr-defined]
    params = next(m.args[1] for m in marks if m.name == "parametrize")
    assert declared == {p.values[0] for p in params}


@pytest.mark.effect("CREATE_INSTANCES.VM_AZ_OVERRIDES_DISK_AZ")
def test_disks_take_the_instance_az() -> None:
    data = {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 20, "az": "cn-north-1b"}}
    system = {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "az": "cn-north-1b"}}
    (iid,), world = create(World.default(), systemDisk=system, dataDisks=[data])
    inst = world.instances[iid]
    disk_ids = [inst.system_disk.disk_id or "", *(d.disk_id for d in inst.data_disks)]
    assert [world.disks[d].az for d in disk_ids] == ["cn-north-1a", "cn-north-1a"]


@pytest.mark.effect("CREATE_INSTANCES.PRIMARY_DEVICE_INDEX")
def test_primary_interface_is_device_index_1() -> None:
    (iid,), world = create(World.default())
    assert instance_view(world, world.instances[iid])["primaryNetworkInterface"]["deviceIndex"] == 1
    assert world.network_interfaces[world.instances[iid].primary_nic_id].device_index == 1


@pytest.mark.effect("CREATE_INSTANCES.MAX_COUNT_DEFAULT")
def test_one_instance_without_max_count() -> None:
    ids, _ = create(World.default())
    assert len(ids) == 1
    two = execute(World.default(), "createInstances", {"regionId": NORTH, "instanceSpec": SPEC, "maxCount": 2})
    assert len(two.result["instanceIds"]) == 2


@pytest.mark.effect("ATTACH_DISK.AUTO_DELETE_DEFAULT")
def test_attached_disk_is_kept_by_default(world: World) -> None:
    iid, world = instance(world)
    world = settle(ok(run(world, "attachDisk", instanceId=iid, diskId="vol-ssd0000001")))
    world = settle(ok(run(world, "attachDisk", instanceId=iid, diskId="vol-ssd0000002", autoDelete=True)))
    assert [d.auto_delete for d in world.instances[iid].data_disks] == [False, True]
    gone = settle(ok(run(world, "deleteInstance", instanceId=iid)))
    assert "vol-ssd0000001" in gone.disks and "vol-ssd0000002" not in gone.disks


@pytest.mark.effect("CREATE_IMAGE.WHOLE_MACHINE_DEFAULT")
def test_image_includes_every_data_disk_by_default(world: World) -> None:
    sid, world = instance(world, status="stopped", data_disks=[DataDiskPlan("ssd", 100), DataDiskPlan("ssd", 20)])
    whole = run(world, "createImage", instanceId=sid, name="whole")
    assert len(ok(whole).images[whole.result["imageId"]].data_disks) == 2
    system_only = run(world, "createImage", instanceId=sid, name="sys",
                      dataDisks=[{"deviceName": "vdb", "noDevice": True}, {"deviceName": "vdc", "noDevice": True}])
    assert ok(system_only).images[system_only.result["imageId"]].data_disks == ()


@pytest.mark.effect("DISASSOCIATE_ELASTIC_IP.UNBINDS")
def test_disassociate_unbinds_and_keeps_the_elastic_ip(world: World) -> None:
    iid, world = instance(world)
    world = ok(run(world, "associateElasticIp", instanceId=iid, elasticIpId="fip-free00001a"))
    world = ok(run(world, "disassociateElasticIp", instanceId=iid, elasticIpId="fip-free00001a"))
    eip = world.elastic_ips["fip-free00001a"]
    assert (eip.nic_id, eip.instance_id, eip.private_ip) == (None, None, None)
    assert world.network_interfaces[world.instances[iid].primary_nic_id].elastic_ip_id is None
    assert not world.tasks


@pytest.mark.effect("CREATE_INSTANCES.DATA_DISK_FROM_SNAPSHOT")
def test_data_disk_from_a_snapshot_takes_its_size() -> None:
    snap = {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "premium-hdd", "snapshotId": "snapshot-hdd0000001"}}
    (iid,), world = create(World.default(), dataDisks=[snap])
    disk = world.disks[world.instances[iid].data_disks[0].disk_id]
    assert (disk.size_gb, disk.snapshot_id) == (100, "snapshot-hdd0000001")


@pytest.mark.effect("SHARE_IMAGE.VISIBLE_TO_MEMBERS", "UNSHARE_IMAGE.HIDDEN_FROM_MEMBERS")
def test_a_shared_image_is_listed_and_usable_then_hidden_and_its_instances_kept(world: World) -> None:
    sid, world = instance(world, status="stopped")
    made = run(world, "createImage", instanceId=sid, name="img")
    image_id, world = made.result["imageId"], settle(ok(made))

    def bob_sees() -> list[str]:
        return [i["imageId"] for i in run(world, "describeImages", caller="bob", imageSource="shared").result["images"]]

    assert bob_sees() == []
    world = ok(run(world, "shareImage", imageId=image_id, pins=["bob"]))
    assert bob_sees() == [image_id]
    spec = {**SPEC, "imageId": image_id,
            "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-bobnet001a"}}}
    created = execute(world, "createInstances", {"regionId": NORTH, "instanceSpec": spec}, caller="bob")
    world = settle(ok(created))
    world = ok(run(world, "unShareImage", imageId=image_id, pins=["bob"]))
    assert bob_sees() == []
    assert world.instances[created.result["instanceIds"][0]].status == "running"
