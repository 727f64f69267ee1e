"""An image being made keeps what it is made from busy: createImage's instance and snapshotted disks,
copyImages' source. Every "no task in progress" rule refuses them until settle finishes the image."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import instance, ok, refused, run

from vmrules import World, settle
from vmrules.builders import DataDiskPlan

FA = "FAILED_PRECONDITION"
PASSWORD = "Tz9!mQ4#vR"
SHARED = "vol-shared00001"


def imaging(world: World, **kwargs: Any) -> tuple[str, str, World]:
    """A stopped instance with one data disk, and the world right after createImage of it (not settled)."""
    iid, world = instance(world, status="stopped", data_disks=[DataDiskPlan("ssd", 20)], **kwargs)
    out = run(world, "createImage", instanceId=iid, name="backup")
    return iid, out.result["imageId"], ok(out)


def data_disk(world: World, iid: str) -> str:
    return world.instances[iid].data_disks[0].disk_id


def test_create_image_holds_the_instance_and_its_disks_until_settle(world: World) -> None:
    iid, img, busy = imaging(world)
    inst = busy.instances[iid]
    held = [iid, inst.system_disk.disk_id, data_disk(busy, iid)]
    assert [(busy.tasks[r].kind, busy.tasks[r].ref) for r in held] == [("heldForImage", img)] * 3
    assert inst.status == "stopped" and busy.images[img].status == "pending"
    done = settle(busy)
    assert not done.tasks and done.images[img].status == "ready"


# Every operation the seed gates on "没有正在进行中的任务" that a stopped instance could otherwise do.
GATED = [
    pytest.param("startInstance", {}, "START_INSTANCE.NO_TASK", id="start"),
    pytest.param("deleteInstance", {}, "DELETE_INSTANCE.NO_TASK", id="delete"),
    pytest.param("rebuildInstance", {}, "REBUILD_INSTANCE.NO_TASK", id="rebuild"),
    pytest.param("resizeInstance", {"instanceType": "g.n2.large"}, "RESIZE_INSTANCE.NO_TASK", id="resize"),
    pytest.param("createImage", {"name": "again"}, "CREATE_IMAGE.NO_TASK", id="image-again"),
    pytest.param("modifyInstancePassword", {"password": PASSWORD}, "MODIFY_INSTANCE_PASSWORD.NO_TASK",
                 id="password"),
    pytest.param("attachDisk", {"diskId": "vol-ssd0000001"}, "ATTACH_DISK.NO_TASK", id="attach-disk"),
    pytest.param("detachDisk", {"diskId": None}, "DETACH_DISK.NO_TASK", id="detach-disk"),
    pytest.param("attachNetworkInterface", {"networkInterfaceId": "port-eniplain01"},
                 "ATTACH_NETWORK_INTERFACE.NO_TASK", id="attach-nic"),
]


@pytest.mark.parametrize(("operation", "params", "rule_id"), GATED)
def test_the_instance_being_imaged_is_busy(world: World, operation: str, params: dict[str, Any],
                                           rule_id: str) -> None:
    iid, _, busy = imaging(world)
    if params.get("diskId", "") is None:
        params = {**params, "diskId": data_disk(busy, iid)}
    refused(run(busy, operation, instanceId=iid, **params), rule_id, FA)
    ok(run(settle(busy), operation, instanceId=iid, **params))


def test_issue_repro_delete_instance_while_its_image_is_made(world: World) -> None:
    spec = {"name": "web", "az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": "img-centos7cld",
            "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
            "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}}}
    created = run(world, "createInstances", instanceSpec=spec)
    iid = created.result["instanceIds"][0]
    world = settle(ok(run(settle(ok(created)), "stopInstance", instanceId=iid)))
    world = ok(run(world, "createImage", instanceId=iid, name="backup"))
    refused(run(world, "deleteInstance", instanceId=iid), "DELETE_INSTANCE.NO_TASK", FA)


def _two_stopped_sharing_a_disk(world: World) -> tuple[str, str, World]:
    iid, world = instance(world, status="stopped")
    jid, world = instance(world, status="stopped")
    world = settle(ok(run(world, "attachDisk", instanceId=iid, diskId=SHARED)))
    world = settle(ok(run(world, "attachDisk", instanceId=jid, diskId=SHARED)))
    return iid, jid, world


@pytest.mark.rule("CREATE_IMAGE.DISKS_NO_TASK")
def test_a_disk_snapshotted_for_one_image_waits_for_it(world: World) -> None:
    iid, jid, world = _two_stopped_sharing_a_disk(world)
    busy = ok(run(world, "createImage", instanceId=iid, name="first"))
    assert busy.tasks[SHARED].kind == "heldForImage"
    out = run(busy, "createImage", instanceId=jid, name="second")
    refused(out, "CREATE_IMAGE.DISKS_NO_TASK", FA)
    assert out.error is not None and SHARED in out.error.message
    device = next(d.device_name for d in busy.instances[jid].data_disks if d.disk_id == SHARED)
    ok(run(busy, "createImage", instanceId=jid, name="second", dataDisks=[{"deviceName": device, "noDevice": True}]))
    ok(run(settle(busy), "createImage", instanceId=jid, name="second"))


@pytest.mark.rule("DETACH_DISK.DISK_NO_TASK")
def test_a_shared_disk_being_snapshotted_cannot_be_detached_elsewhere(world: World) -> None:
    iid, jid, world = _two_stopped_sharing_a_disk(world)
    busy = ok(run(world, "createImage", instanceId=iid, name="first"))
    refused(run(busy, "detachDisk", instanceId=jid, diskId=SHARED), "DETACH_DISK.DISK_NO_TASK", FA)
    ok(run(settle(busy), "detachDisk", instanceId=jid, diskId=SHARED))


# ---- copyImages: the source carries the copy's task ---------------------------------------------------


def _copying(world: World) -> tuple[str, str, World]:
    _, img, world = imaging(world)
    out = run(settle(world), "copyImages", sourceImageIds=[img], destinationRegion="cn-east-2")
    return img, out.result["copyImages"][0]["destinationImageId"], ok(out)


@pytest.mark.rule("DELETE_IMAGE.NO_TASK")
def test_the_source_of_a_copy_in_progress_cannot_be_deleted(world: World) -> None:
    img, copy_id, busy = _copying(world)
    assert (busy.tasks[img].kind, busy.tasks[img].ref) == ("heldForImage", copy_id)
    refused(run(busy, "deleteImage", imageId=img), "DELETE_IMAGE.NO_TASK", FA)
    done = settle(busy)
    assert not done.tasks and done.images[copy_id].status == "ready"
    ok(run(done, "deleteImage", imageId=img))


@pytest.mark.rule("COPY_IMAGES.SOURCE_NO_TASK")
def test_a_second_copy_waits_for_the_first(world: World) -> None:
    img, _, busy = _copying(world)
    refused(run(busy, "copyImages", sourceImageIds=[img], destinationRegion="cn-south-1"),
            "COPY_IMAGES.SOURCE_NO_TASK", FA)
    ok(run(settle(busy), "copyImages", sourceImageIds=[img], destinationRegion="cn-south-1"))


def test_settle_in_steps_finishes_the_image_from_either_side(world: World) -> None:
    iid, img, busy = imaging(world)
    # The instance's task completes first (ids sort i- < img-): the image is finished with it.
    done = settle(busy, started_by=busy.clock)
    assert not done.tasks and done.images[img].status == "ready"
    only_image = settle(busy.without_task(iid))
    assert not only_image.tasks and only_image.images[img].status == "ready"
