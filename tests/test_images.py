"""createImage, deleteImage, copyImages, modifyImageAttribute and the image queries: every rule passing and
failing, the pending → ready and deleting → gone transitions, snapshots linked to images."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from helpers import instance, ok, refused, run

from vmrules import World, settle
from vmrules.builders import DataDiskPlan, add_account, add_image, add_instance, add_snapshot
from vmrules.defaults import DEFAULT_QUOTAS, NORTH
from vmrules.model import ImageConstraint
from vmrules.operations.image_queries import source_for

BOB_SUBNET = "subnet-bobnet001a"


def stopped(world: World, **kwargs: Any) -> tuple[str, World]:
    return instance(world, status="stopped", **kwargs)


def make_image(world: World, caller: str = "alice", *, settled: bool = True, **kwargs: Any) -> tuple[str, World]:
    """A private image of ``caller`` made by createImage from a new stopped instance."""
    if caller != "alice":
        kwargs.setdefault("owner", caller)
        kwargs.setdefault("subnet_id", BOB_SUBNET)
    iid, world = stopped(world, **kwargs)
    out = run(world, "createImage", caller=caller, instanceId=iid, name="my-image")
    world = ok(out)
    return out.result["imageId"], settle(world) if settled else world


def with_quota(world: World, pin: str, resource_type: str, limit: int) -> World:
    quotas = [(k, limit if k == resource_type else v) for k, v in DEFAULT_QUOTAS]
    return add_account(world, pin, quotas=quotas)


# ---- createImage ------------------------------------------------------------------------------------


@pytest.mark.rule("CREATE_IMAGE.STATUS_STOPPED")
def test_create_image_needs_stopped(world: World) -> None:
    iid, world = instance(world)
    refused(run(world, "createImage", instanceId=iid, name="img"), "CREATE_IMAGE.STATUS_STOPPED",
            "FAILED_PRECONDITION")
    jid, world = stopped(world)
    out = run(world, "createImage", instanceId=jid, name="img")
    image = ok(out).images[out.result["imageId"]]
    assert (image.status, image.source, image.owner, image.root_device_type) == ("pending", "private", "alice",
                                                                                "cloudDisk")
    assert out.world.instances[jid].status == "stopped" and out.world.busy(jid)
    ready = settle(out.world)
    assert not ready.tasks
    assert ready.images[image.image_id].status == "ready"
    assert ready.snapshots[image.snapshot_id or ""].status == "available"


@pytest.mark.rule("CREATE_IMAGE.NO_TASK")
def test_create_image_refused_while_a_task_runs(world: World) -> None:
    iid, world = stopped(world)
    refused(run(world.with_task(iid, "resizeInstance"), "createImage", instanceId=iid, name="img"),
            "CREATE_IMAGE.NO_TASK", "FAILED_PRECONDITION")
    ok(run(world, "createImage", instanceId=iid, name="img"))


@pytest.mark.rule("CREATE_IMAGE.NAME")
def test_create_image_name(world: World) -> None:
    iid, world = stopped(world)
    refused(run(world, "createImage", instanceId=iid, name="bad name!"), "CREATE_IMAGE.NAME", "INVALID_ARGUMENT")
    refused(run(world, "createImage", instanceId=iid, name="x" * 33), "CREATE_IMAGE.NAME", "INVALID_ARGUMENT")
    ok(run(world, "createImage", instanceId=iid, name="网站-镜像_01"))


@pytest.mark.rule("CREATE_IMAGE.DESCRIPTION")
def test_create_image_description(world: World) -> None:
    iid, world = stopped(world)
    refused(run(world, "createImage", instanceId=iid, name="img", description="d" * 257),
            "CREATE_IMAGE.DESCRIPTION", "INVALID_ARGUMENT")
    out = run(world, "createImage", instanceId=iid, name="img", description="d" * 256)
    assert ok(out).images[out.result["imageId"]].desc == "d" * 256


@pytest.mark.effect("CREATE_IMAGE.SNAPSHOTS_LINKED")
def test_create_image_snapshots_every_disk_and_links_them(world: World) -> None:
    iid, world = stopped(world, data_disks=[DataDiskPlan("ssd", 100), DataDiskPlan("premium-hdd", 200)])
    out = run(world, "createImage", instanceId=iid, name="whole")
    image = ok(out).images[out.result["imageId"]]
    assert image.whole_machine and [d.device_name for d in image.data_disks] == ["vdb", "vdc"]
    inst = out.world.instances[iid]
    sources = {out.world.snapshots[d.snapshot_id or ""].source_disk_id for d in image.data_disks}
    assert sources == {d.disk_id for d in inst.data_disks}
    for sid in [image.snapshot_id, *(d.snapshot_id for d in image.data_disks)]:
        snap = out.world.snapshots[sid or ""]
        assert (snap.image_id, snap.status) == (image.image_id, "creating")
    assert out.world.used("alice", "cn-north-1", "image") == 1


def test_create_image_of_a_local_system_disk_is_a_local_disk_image(world: World) -> None:
    iid, world = stopped(world, system_disk="local", image_id="img-centos7lcl")
    out = run(world, "createImage", instanceId=iid, name="local")
    image = ok(out).images[out.result["imageId"]]
    assert (image.root_device_type, image.snapshot_id, image.system_disk_size_gb) == ("localDisk", None, 40)


@pytest.mark.rule("CREATE_IMAGE.DATA_DISK_CATEGORY")
def test_create_image_data_disks_are_cloud(world: World) -> None:
    iid, world = stopped(world, data_disks=[DataDiskPlan("ssd", 100)])
    refused(run(world, "createImage", instanceId=iid, name="img", dataDisks=[{"deviceName": "vdb",
                                                                             "diskCategory": "local"}]),
            "CREATE_IMAGE.DATA_DISK_CATEGORY", "INVALID_ARGUMENT")
    ok(run(world, "createImage", instanceId=iid, name="img", dataDisks=[{"deviceName": "vdb",
                                                                        "diskCategory": "cloud"}]))


@pytest.mark.rule("CREATE_IMAGE.DATA_DISK_DEVICE_NAME")
def test_create_image_data_disk_device_name(world: World) -> None:
    iid, world = stopped(world, data_disks=[DataDiskPlan("ssd", 100)])
    refused(run(world, "createImage", instanceId=iid, name="img", dataDisks=[{"noDevice": True}]),
            "CREATE_IMAGE.DATA_DISK_DEVICE_NAME", "INVALID_ARGUMENT")
    refused(run(world, "createImage", instanceId=iid, name="img", dataDisks=[{"deviceName": "vda",
                                                                             "noDevice": True}]),
            "CREATE_IMAGE.DATA_DISK_DEVICE_NAME", "INVALID_ARGUMENT")
    out = run(world, "createImage", instanceId=iid, name="img", dataDisks=[{"deviceName": "vdb", "noDevice": True}])
    assert not ok(out).images[out.result["imageId"]].whole_machine


@pytest.mark.rule("CREATE_IMAGE.DATA_DISK_DEVICE_UNIQUE")
def test_create_image_data_disk_device_unique(world: World) -> None:
    iid, world = stopped(world, data_disks=[DataDiskPlan("ssd", 100)])
    drop = {"deviceName": "vdb", "noDevice": True}
    refused(run(world, "createImage", instanceId=iid, name="img", dataDisks=[drop, drop]),
            "CREATE_IMAGE.DATA_DISK_DEVICE_UNIQUE", "INVALID_ARGUMENT")
    ok(run(world, "createImage", instanceId=iid, name="img", dataDisks=[drop]))


@pytest.mark.rule("CREATE_IMAGE.DATA_DISK_SPEC")
def test_create_image_data_disk_spec(world: World) -> None:
    iid, world = stopped(world)

    def add(spec: dict[str, Any]) -> Any:
        return run(world, "createImage", instanceId=iid, name="img", dataDisks=[{"deviceName": "vdb",
                                                                                "cloudDiskSpec": spec}])

    refused(add({"diskType": "nvme", "diskSizeGB": 100}), "CREATE_IMAGE.DATA_DISK_SPEC", "INVALID_ARGUMENT")
    refused(add({"diskType": "ssd", "diskSizeGB": 1010}), "CREATE_IMAGE.DATA_DISK_SPEC", "INVALID_ARGUMENT")
    refused(add({"diskType": "premium-hdd", "diskSizeGB": 25}), "CREATE_IMAGE.DATA_DISK_SPEC", "INVALID_ARGUMENT")
    out = add({"diskType": "premium-hdd", "diskSizeGB": 3000})
    disk = ok(out).images[out.result["imageId"]].data_disks[0]
    assert (disk.device_name, disk.disk_type, disk.size_gb, disk.snapshot_id) == ("vdb", "premium-hdd", 3000, None)


@pytest.mark.rule("CREATE_IMAGE.DATA_DISK_SNAPSHOT_EXISTS")
def test_create_image_data_disk_snapshot_exists(world: World) -> None:
    iid, world = stopped(world)
    spec = {"deviceName": "vdb", "cloudDiskSpec": {"snapshotId": "snapshot-nothere001"}}
    refused(run(world, "createImage", instanceId=iid, name="img", dataDisks=[spec]),
            "CREATE_IMAGE.DATA_DISK_SNAPSHOT_EXISTS", "NOT_FOUND")
    sid, world = add_snapshot(world, owner="bob", region="cn-north-1", disk_type="ssd", size_gb=50)
    spec = {"deviceName": "vdb", "cloudDiskSpec": {"snapshotId": sid}}
    refused(run(world, "createImage", instanceId=iid, name="img", dataDisks=[spec]),
            "CREATE_IMAGE.DATA_DISK_SNAPSHOT_EXISTS", "NOT_FOUND")
    spec = {"deviceName": "vdb", "cloudDiskSpec": {"snapshotId": "snapshot-hdd0000001"}}
    out = run(world, "createImage", instanceId=iid, name="img", dataDisks=[spec])
    disk = ok(out).images[out.result["imageId"]].data_disks[0]
    assert (disk.disk_type, disk.size_gb, disk.snapshot_id) == ("premium-hdd", 100, "snapshot-hdd0000001")


@pytest.mark.rule("CREATE_IMAGE.DATA_DISK_NO_DEVICE_ATTACHED")
def test_create_image_no_device_must_name_an_attached_disk(world: World) -> None:
    iid, world = stopped(world, data_disks=[DataDiskPlan("ssd", 100)])
    refused(run(world, "createImage", instanceId=iid, name="img", dataDisks=[{"deviceName": "vdc",
                                                                             "noDevice": True}]),
            "CREATE_IMAGE.DATA_DISK_NO_DEVICE_ATTACHED", "INVALID_ARGUMENT")
    ok(run(world, "createImage", instanceId=iid, name="img", dataDisks=[{"deviceName": "vdb", "noDevice": True}]))


@pytest.mark.rule("CREATE_IMAGE.DATA_DISK_NEW_NEEDS_SPEC")
def test_create_image_new_disk_needs_a_spec(world: World) -> None:
    iid, world = stopped(world, data_disks=[DataDiskPlan("ssd", 100)])
    refused(run(world, "createImage", instanceId=iid, name="img", dataDisks=[{"deviceName": "vdc"}]),
            "CREATE_IMAGE.DATA_DISK_NEW_NEEDS_SPEC", "INVALID_ARGUMENT")
    refused(run(world, "createImage", instanceId=iid, name="img",
                dataDisks=[{"deviceName": "vdc", "cloudDiskSpec": {"diskType": "ssd"}}]),
            "CREATE_IMAGE.DATA_DISK_NEW_NEEDS_SPEC", "INVALID_ARGUMENT")
    # vdb (attached) is kept by default: a bare entry for it needs no spec.
    out = run(world, "createImage", instanceId=iid, name="img",
              dataDisks=[{"deviceName": "vdb"}, {"deviceName": "vdc", "cloudDiskSpec": {"diskType": "ssd",
                                                                                        "diskSizeGB": 50}}])
    image = ok(out).images[out.result["imageId"]]
    assert [(d.device_name, d.size_gb) for d in image.data_disks] == [("vdb", 100), ("vdc", 50)]


def test_create_image_replaces_an_attached_disk_with_a_spec(world: World) -> None:
    iid, world = stopped(world, data_disks=[DataDiskPlan("ssd", 100)])
    out = run(world, "createImage", instanceId=iid, name="img",
              dataDisks=[{"deviceName": "vdb", "cloudDiskSpec": {"diskType": "premium-hdd", "diskSizeGB": 500}}])
    image = ok(out).images[out.result["imageId"]]
    assert [(d.disk_type, d.size_gb, d.snapshot_id) for d in image.data_disks] == [("premium-hdd", 500, None)]


@pytest.mark.rule("CREATE_IMAGE.DATA_DISK_LIMIT")
def test_create_image_data_disk_limit(world: World) -> None:
    iid, world = stopped(world, data_disks=[DataDiskPlan("ssd", 20)] * 7)
    new = {"deviceName": "vdi", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 20}}
    out = run(world, "createImage", instanceId=iid, name="img", dataDisks=[new])
    refused(out, "CREATE_IMAGE.DATA_DISK_LIMIT", "INVALID_ARGUMENT")
    assert out.error is not None and "at most 7" in out.error.message
    ok(run(world, "createImage", instanceId=iid, name="img", dataDisks=[new, {"deviceName": "vdb",
                                                                             "noDevice": True}]))
    jid, world = stopped(world, system_disk="local", image_id="img-centos7lcl",
                         data_disks=[DataDiskPlan("ssd", 20)] * 7)
    ok(run(world, "createImage", instanceId=jid, name="img", dataDisks=[new]))


@pytest.mark.rule("CREATE_IMAGE.QUOTA")
def test_create_image_quota(world: World) -> None:
    world = with_quota(world, "alice", "image", 1)
    iid, world = stopped(world)
    world = settle(ok(run(world, "createImage", instanceId=iid, name="first")))
    refused(run(world, "createImage", instanceId=iid, name="second"), "CREATE_IMAGE.QUOTA", "QUOTA_EXCEEDED")


def test_create_image_of_unknown_instance(world: World) -> None:
    refused(run(world, "createImage", instanceId="i-nothere000", name="img"), "INSTANCE.EXISTS", "NOT_FOUND")


# ---- deleteImage ------------------------------------------------------------------------------------


@pytest.mark.rule("DELETE_IMAGE.OWN_PRIVATE")
def test_delete_image_only_own_private(world: World) -> None:
    refused(run(world, "deleteImage", imageId="img-centos7cld"), "DELETE_IMAGE.OWN_PRIVATE", "PERMISSION_DENIED")
    refused(run(world, "deleteImage", imageId="img-lampthird1"), "DELETE_IMAGE.OWN_PRIVATE", "PERMISSION_DENIED")
    img, world = make_image(world, "bob")
    world = ok(run(world, "shareImage", caller="bob", imageId=img, pins=["alice"]))
    refused(run(world, "deleteImage", imageId=img), "DELETE_IMAGE.OWN_PRIVATE", "PERMISSION_DENIED")
    world = ok(run(world, "unShareImage", caller="bob", imageId=img, pins=["alice"]))
    ok(run(world, "deleteImage", caller="bob", imageId=img))


@pytest.mark.rule("IMAGE.EXISTS")
def test_image_not_visible_is_not_found(world: World) -> None:
    img, world = make_image(world, "bob")
    for op in ("deleteImage", "describeImage", "modifyImageAttribute", "describeImageMembers",
               "describeImageConstraints"):
        refused(run(world, op, imageId=img), "IMAGE.EXISTS", "NOT_FOUND")
        refused(run(world, op, caller="bob", imageId=img, regionId="cn-east-2"), "IMAGE.EXISTS", "NOT_FOUND")
    refused(run(world, "deleteImage", imageId="img-nothere000"), "IMAGE.EXISTS", "NOT_FOUND")
    ok(run(world, "describeImage", caller="bob", imageId=img))


def test_delete_image_deleting_then_gone(world: World) -> None:
    img, world = make_image(world)
    image = world.images[img]
    deleting = ok(run(world, "deleteImage", imageId=img))
    assert deleting.images[img].status == "deleting"
    assert deleting.used("alice", "cn-north-1", "image") == 1
    gone = settle(deleting)
    assert img not in gone.images and gone.used("alice", "cn-north-1", "image") == 0
    kept = gone.snapshots[image.snapshot_id or ""]
    assert kept.image_id is None
    refused(run(gone, "describeImage", imageId=img), "IMAGE.EXISTS", "NOT_FOUND")


@pytest.mark.effect("DELETE_IMAGE.KEEPS_SNAPSHOTS")
def test_delete_image_with_delete_snapshot(world: World) -> None:
    img, world = make_image(world, data_disks=[DataDiskPlan("ssd", 100)])
    image = world.images[img]
    gone = settle(ok(run(world, "deleteImage", imageId=img, deleteSnapshot=True)))
    assert image.snapshot_id not in gone.snapshots
    assert all(d.snapshot_id not in gone.snapshots for d in image.data_disks)
    assert "snapshot-ssd0000001" in gone.snapshots


@pytest.mark.rule("DELETE_IMAGE.NOT_SHARED")
def test_delete_image_refused_while_shared(world: World) -> None:
    img, world = make_image(world)
    shared = ok(run(world, "shareImage", imageId=img, pins=["bob"]))
    refused(run(shared, "deleteImage", imageId=img), "DELETE_IMAGE.NOT_SHARED", "FAILED_PRECONDITION")
    unshared = ok(run(shared, "unShareImage", imageId=img, pins=["bob"]))
    ok(run(unshared, "deleteImage", imageId=img))


@pytest.mark.rule("DELETE_IMAGE.NO_TASK")
def test_delete_image_refused_while_pending_or_deleting(world: World) -> None:
    img, pending = make_image(world, settled=False)
    refused(run(pending, "deleteImage", imageId=img), "DELETE_IMAGE.NO_TASK", "FAILED_PRECONDITION")
    deleting = ok(run(settle(pending), "deleteImage", imageId=img))
    refused(run(deleting, "deleteImage", imageId=img), "DELETE_IMAGE.NO_TASK", "FAILED_PRECONDITION")


@pytest.mark.rule("DELETE_IMAGE.LOCAL_IMAGE_IN_USE")
def test_delete_local_image_in_use(world: World) -> None:
    img, world = make_image(world, system_disk="local", image_id="img-centos7lcl")
    ok(run(world, "deleteImage", imageId=img))
    _, used = add_instance(world, system_disk="local", image_id=img)
    refused(run(used, "deleteImage", imageId=img), "DELETE_IMAGE.LOCAL_IMAGE_IN_USE", "FAILED_PRECONDITION")
    cloud, world = make_image(world)
    _, used = add_instance(world, image_id=cloud)
    ok(run(used, "deleteImage", imageId=cloud))


@pytest.mark.rule("DELETE_IMAGE.LOCAL_IMAGE_IN_USE")
def test_local_image_in_use_counts_other_accounts_instances_and_follows_rebuilds(world: World) -> None:
    # The instances made from an image are found through the world's imageId index, across accounts: an
    # instance of an account it was shared with keeps it (after the sharing ended), and one rebuilt from
    # another image no longer does.
    img, world = make_image(world, system_disk="local", image_id="img-centos7lcl")
    world = ok(run(world, "shareImage", imageId=img, pins=["bob"]))
    bobs, world = add_instance(world, owner="bob", subnet_id=BOB_SUBNET, system_disk="local", image_id=img)
    world = ok(run(world, "unShareImage", imageId=img, pins=["bob"]))
    refusal = run(world, "deleteImage", imageId=img)
    refused(refusal, "DELETE_IMAGE.LOCAL_IMAGE_IN_USE", "FAILED_PRECONDITION")
    assert refusal.error is not None and f"1 instance(s) use it ({bobs})" in refusal.error.message
    world = world.with_instance(replace(world.instances[bobs], image_id="img-centos7lcl"))
    ok(run(world, "deleteImage", imageId=img))
    assert world.image_users(img) == [] and bobs in world.image_users("img-centos7lcl")


# ---- copyImages -------------------------------------------------------------------------------------


def copy(world: World, ids: list[str], dest: str = "cn-east-2", caller: str | None = None, **kw: Any) -> Any:
    return run(world, "copyImages", caller=caller, sourceImageIds=ids, destinationRegion=dest, **kw)


def test_copy_images_yields_pending_images_in_the_destination(world: World) -> None:
    img, world = make_image(world, data_disks=[DataDiskPlan("ssd", 100)])
    out = copy(world, [img], name="copied", description="a copy")
    [pair] = out.result["copyImages"]
    assert pair["sourceImageId"] == img
    new = ok(out).images[pair["destinationImageId"]]
    assert (new.region, new.status, new.owner, new.source, new.name, new.desc) == (
        "cn-east-2", "pending", "alice", "private", "copied", "a copy")
    assert out.world.snapshots[new.snapshot_id or ""].region == "cn-east-2"
    assert out.world.used("alice", "cn-east-2", "image") == 1
    ready = settle(out.world)
    assert ready.images[new.image_id].status == "ready"
    got = run(ready, "describeImage", regionId="cn-east-2", imageId=new.image_id)
    assert got.result["image"]["imageSource"] == "private"


@pytest.mark.rule("COPY_IMAGES.IDS_COUNT")
def test_copy_images_ids_count(world: World) -> None:
    refused(copy(world, []), "COPY_IMAGES.IDS_COUNT", "INVALID_ARGUMENT")
    refused(copy(world, [f"img-{n:010d}" for n in range(11)]), "COPY_IMAGES.IDS_COUNT", "INVALID_ARGUMENT")
    img, world = make_image(world)
    ok(copy(world, [img]))


@pytest.mark.rule("COPY_IMAGES.IDS_UNIQUE")
def test_copy_images_ids_unique(world: World) -> None:
    img, world = make_image(world)
    refused(copy(world, [img, img]), "COPY_IMAGES.IDS_UNIQUE", "INVALID_ARGUMENT")
    ok(copy(world, [img]))


@pytest.mark.rule("COPY_IMAGES.DESTINATION_EXISTS")
def test_copy_images_destination_exists(world: World) -> None:
    img, world = make_image(world)
    refused(copy(world, [img], dest="cn-nowhere-1"), "COPY_IMAGES.DESTINATION_EXISTS", "INVALID_ARGUMENT")
    ok(copy(world, [img], dest="cn-south-1"))


@pytest.mark.rule("COPY_IMAGES.OTHER_REGION")
def test_copy_images_other_region(world: World) -> None:
    img, world = make_image(world)
    refused(copy(world, [img], dest="cn-north-1"), "COPY_IMAGES.OTHER_REGION", "INVALID_ARGUMENT")
    ok(copy(world, [img], dest="cn-east-2"))


@pytest.mark.rule("COPY_IMAGES.NAME")
def test_copy_images_name(world: World) -> None:
    img, world = make_image(world)
    refused(copy(world, [img], name="no spaces"), "COPY_IMAGES.NAME", "INVALID_ARGUMENT")
    out = copy(world, [img])
    assert ok(out).images[out.result["copyImages"][0]["destinationImageId"]].name == "my-image"


@pytest.mark.rule("COPY_IMAGES.DESCRIPTION")
def test_copy_images_description(world: World) -> None:
    img, world = make_image(world)
    refused(copy(world, [img], description="x" * 257), "COPY_IMAGES.DESCRIPTION", "INVALID_ARGUMENT")
    ok(copy(world, [img], description="x" * 256))


@pytest.mark.rule("COPY_IMAGES.IMAGE_EXISTS")
def test_copy_images_image_exists(world: World) -> None:
    img, world = make_image(world)
    out = copy(world, [img, "img-nothere000"])
    refused(out, "COPY_IMAGES.IMAGE_EXISTS", "NOT_FOUND")
    assert out.error is not None and out.error.field == "sourceImageIds.1"
    bobs, world = make_image(world, "bob")
    refused(copy(world, [bobs]), "COPY_IMAGES.IMAGE_EXISTS", "NOT_FOUND")
    ok(copy(world, [img]))


@pytest.mark.rule("COPY_IMAGES.CLOUD_DISK_ONLY")
def test_copy_images_cloud_disk_only(world: World) -> None:
    local, world = make_image(world, system_disk="local", image_id="img-centos7lcl")
    refused(copy(world, [local]), "COPY_IMAGES.CLOUD_DISK_ONLY", "INVALID_ARGUMENT")
    refused(copy(world, ["img-centos7lcl"]), "COPY_IMAGES.CLOUD_DISK_ONLY", "INVALID_ARGUMENT")
    cloud, world = make_image(world)
    ok(copy(world, [cloud]))


@pytest.mark.rule("COPY_IMAGES.OWN_PRIVATE")
def test_copy_images_only_own_private(world: World) -> None:
    refused(copy(world, ["img-centos7cld"]), "COPY_IMAGES.OWN_PRIVATE", "PERMISSION_DENIED")
    img, world = make_image(world)
    world = ok(run(world, "shareImage", imageId=img, pins=["bob"]))
    refused(copy(world, [img], caller="bob"), "COPY_IMAGES.OWN_PRIVATE", "PERMISSION_DENIED")
    ok(copy(world, [img]))


@pytest.mark.rule("COPY_IMAGES.SOURCE_READY")
def test_copy_images_source_ready(world: World) -> None:
    img, pending = make_image(world, settled=False)
    refused(copy(pending, [img]), "COPY_IMAGES.SOURCE_READY", "FAILED_PRECONDITION")
    ok(copy(settle(pending), [img]))


@pytest.mark.rule("COPY_IMAGES.QUOTA")
def test_copy_images_quota(world: World) -> None:
    world = with_quota(world, "alice", "image", 1)
    img, world = make_image(world)
    world = settle(ok(copy(world, [img])))
    refused(copy(world, [img]), "COPY_IMAGES.QUOTA", "QUOTA_EXCEEDED")
    ok(copy(world, [img], dest="cn-south-1"))


# ---- modifyImageAttribute ---------------------------------------------------------------------------


@pytest.mark.rule("MODIFY_IMAGE_ATTRIBUTE.OWN_PRIVATE")
def test_modify_image_only_own_private(world: World) -> None:
    refused(run(world, "modifyImageAttribute", imageId="img-centos7cld", name="mine"),
            "MODIFY_IMAGE_ATTRIBUTE.OWN_PRIVATE", "PERMISSION_DENIED")
    img, world = make_image(world)
    world = ok(run(world, "shareImage", imageId=img, pins=["bob"]))
    refused(run(world, "modifyImageAttribute", caller="bob", imageId=img, name="mine"),
            "MODIFY_IMAGE_ATTRIBUTE.OWN_PRIVATE", "PERMISSION_DENIED")
    changed = ok(run(world, "modifyImageAttribute", imageId=img, name="renamed", description="new text"))
    assert (changed.images[img].name, changed.images[img].desc) == ("renamed", "new text")
    only_desc = ok(run(changed, "modifyImageAttribute", imageId=img, description=""))
    assert (only_desc.images[img].name, only_desc.images[img].desc) == ("renamed", "")


@pytest.mark.effect("MODIFY_IMAGE_ATTRIBUTE.SETS_NAME_DESCRIPTION")
@pytest.mark.rule("MODIFY_IMAGE_ATTRIBUTE.NAME")
def test_modify_image_name(world: World) -> None:
    img, world = make_image(world)
    refused(run(world, "modifyImageAttribute", imageId=img, name=""), "MODIFY_IMAGE_ATTRIBUTE.NAME",
            "INVALID_ARGUMENT")
    refused(run(world, "modifyImageAttribute", imageId=img, name="a.b"), "MODIFY_IMAGE_ATTRIBUTE.NAME",
            "INVALID_ARGUMENT")
    ok(run(world, "modifyImageAttribute", imageId=img, name="a-b_c"))


@pytest.mark.effect("MODIFY_IMAGE_ATTRIBUTE.SETS_NAME_DESCRIPTION")
@pytest.mark.rule("MODIFY_IMAGE_ATTRIBUTE.DESCRIPTION")
def test_modify_image_description(world: World) -> None:
    img, world = make_image(world)
    refused(run(world, "modifyImageAttribute", imageId=img, description="x" * 300),
            "MODIFY_IMAGE_ATTRIBUTE.DESCRIPTION", "INVALID_ARGUMENT")
    ok(run(world, "modifyImageAttribute", imageId=img, description="x" * 200))


# ---- describeImage, describeImages, constraints -----------------------------------------------------


def test_describe_image_view(world: World) -> None:
    out = run(world, "describeImage", imageId="img-ubuntu18cd")
    view = out.result["image"]
    assert (view["imageId"], view["imageSource"], view["rootDeviceType"], view["status"]) == (
        "img-ubuntu18cd", "public", "cloudDisk", "ready")
    assert view["systemDisk"]["diskCategory"] == "cloud"
    local = run(world, "describeImage", imageId="img-centos7lcl").result["image"]
    assert (local["rootDeviceType"], local["systemDisk"]["diskCategory"]) == ("localDisk", "local")


def ids(out: Any) -> list[str]:
    assert out.error is None, out.error
    return [i["imageId"] for i in out.result["images"]]


@pytest.mark.effect("DESCRIBE_IMAGES.LISTS_VISIBLE_IMAGES")
def test_describe_images_by_source(world: World) -> None:
    assert set(ids(run(world, "describeImages", imageSource="public"))) == {
        "img-centos7cld", "img-centos7lcl", "img-ubuntu18cd", "img-win2012r2c", "img-win12sql14"}
    assert ids(run(world, "describeImages", imageSource="thirdparty")) == ["img-lampthird1"]
    assert ids(run(world, "describeImages", imageSource="private")) == []
    img, world = make_image(world, "bob")
    assert ids(run(world, "describeImages", caller="bob", imageSource="private")) == [img]
    assert ids(run(world, "describeImages", imageSource="shared")) == []
    world = ok(run(world, "shareImage", caller="bob", imageId=img, pins=["alice"]))
    out = run(world, "describeImages", imageSource="shared")
    assert ids(out) == [img] and out.result["images"][0]["imageSource"] == "shared"
    assert ids(run(world, "describeImages", regionId="cn-east-2", imageSource="public")) == ["img-centos7ea2"]
    # with ids instead of a source: the named ones among all four the caller sees, and no one else's private one
    assert ids(run(world, "describeImages", ids=[img, "img-lampthird1", "img-centos7cld"])) == [
        "img-centos7cld", "img-lampthird1", img]
    assert ids(run(world, "describeImages", caller="carol", ids=[img, "img-centos7cld"])) == ["img-centos7cld"]


def test_describe_images_filters_combine(world: World) -> None:
    assert set(ids(run(world, "describeImages", imageSource="public", platform="Windows Server"))) == {
        "img-win2012r2c", "img-win12sql14"}
    assert ids(run(world, "describeImages", imageSource="public", rootDeviceType="localDisk")) == ["img-centos7lcl"]
    assert ids(run(world, "describeImages", ids=["img-ubuntu18cd", "img-nothere000"])) == ["img-ubuntu18cd"]
    assert ids(run(world, "describeImages", ids=["img-ubuntu18cd"], imageSource="thirdparty")) == []
    assert ids(run(world, "describeImages", imageSource="thirdparty", imageName="LAMP")) == ["img-lampthird1"]
    img, world = make_image(world, settled=False)
    assert ids(run(world, "describeImages", imageSource="private", status="pending")) == [img]
    assert ids(run(world, "describeImages", imageSource="private", status="ready")) == []


@pytest.mark.effect("DESCRIBE_IMAGES.DEFAULT_PAGE_SIZE")
def test_describe_images_paging(world: World) -> None:
    base = world.images["img-centos7cld"]
    for n in range(25):
        world = add_image(world, replace(base, image_id=f"img-priv{n:06d}", owner="alice", source="private",
                                         create_time=base.create_time + n + 1))
    first = run(world, "describeImages", imageSource="private")
    assert first.result["totalCount"] == 25 and len(first.result["images"]) == 20
    second = run(world, "describeImages", imageSource="private", pageNumber=2)
    assert ids(second) == [f"img-priv{n:06d}" for n in range(20, 25)]
    assert len(ids(run(world, "describeImages", imageSource="private", pageSize=10, pageNumber=3))) == 5


@pytest.mark.rule("DESCRIBE_IMAGES.SOURCE_OR_IDS")
def test_describe_images_source_or_ids(world: World) -> None:
    refused(run(world, "describeImages"), "DESCRIBE_IMAGES.SOURCE_OR_IDS", "INVALID_ARGUMENT")
    ids(run(world, "describeImages", ids=["img-centos7cld"]))


@pytest.mark.rule("DESCRIBE_IMAGES.SOURCE")
def test_describe_images_source_enum(world: World) -> None:
    refused(run(world, "describeImages", imageSource="mine"), "DESCRIBE_IMAGES.SOURCE", "INVALID_ARGUMENT")
    ids(run(world, "describeImages", imageSource="shared"))


@pytest.mark.rule("DESCRIBE_IMAGES.ROOT_DEVICE_TYPE")
def test_describe_images_root_device_type_enum(world: World) -> None:
    refused(run(world, "describeImages", imageSource="public", rootDeviceType="local"),
            "DESCRIBE_IMAGES.ROOT_DEVICE_TYPE", "INVALID_ARGUMENT")
    ids(run(world, "describeImages", imageSource="public", rootDeviceType="cloudDisk"))


@pytest.mark.rule("DESCRIBE_IMAGES.STATUS")
def test_describe_images_status_enum(world: World) -> None:
    refused(run(world, "describeImages", imageSource="public", status="running"), "DESCRIBE_IMAGES.STATUS",
            "INVALID_ARGUMENT")
    ids(run(world, "describeImages", imageSource="public", status="ready"))


@pytest.mark.rule("DESCRIBE_IMAGES.ARCHITECTURE")
def test_describe_images_architecture_enum(world: World) -> None:
    refused(run(world, "describeImages", imageSource="public", architecture="sparc"),
            "DESCRIBE_IMAGES.ARCHITECTURE", "INVALID_ARGUMENT")
    assert ids(run(world, "describeImages", imageSource="public", architecture="arm64")) == []


@pytest.mark.rule("DESCRIBE_IMAGES.PAGE_NUMBER")
def test_describe_images_page_number(world: World) -> None:
    refused(run(world, "describeImages", imageSource="public", pageNumber=0), "DESCRIBE_IMAGES.PAGE_NUMBER",
            "INVALID_ARGUMENT")
    assert ids(run(world, "describeImages", imageSource="public", pageNumber=9)) == []


@pytest.mark.rule("DESCRIBE_IMAGES.PAGE_SIZE")
def test_describe_images_page_size(world: World) -> None:
    refused(run(world, "describeImages", imageSource="public", pageSize=9), "DESCRIBE_IMAGES.PAGE_SIZE",
            "INVALID_ARGUMENT")
    refused(run(world, "describeImages", imageSource="public", pageSize=101), "DESCRIBE_IMAGES.PAGE_SIZE",
            "INVALID_ARGUMENT")
    ids(run(world, "describeImages", imageSource="public", pageSize=100))


@pytest.mark.effect("DESCRIBE_IMAGE_CONSTRAINTS.UNSUPPORTED_TYPES", "DESCRIBE_IMAGE_CONSTRAINTS.PRIVATE_UNCONSTRAINED")
def test_describe_image_constraints(world: World) -> None:
    out = run(world, "describeImageConstraints", imageId="img-ubuntu18cd")
    assert out.result["imageConstraints"] == {
        "imageId": "img-ubuntu18cd",
        "imageInstanceTypeConstraint": {"constraintsType": "excludes",
                                        "instanceTypes": ["g.n1.medium", "g.n1.large", "c.n1.large"]},
    }
    img, world = make_image(world)
    private = run(world, "describeImageConstraints", imageId=img)
    assert private.result["imageConstraints"] == {"imageId": img, "imageInstanceTypeConstraint": None}


@pytest.mark.effect("DESCRIBE_IMAGE_CONSTRAINTS_BATCH.UNSUPPORTED_TYPES",
                    "DESCRIBE_IMAGE_CONSTRAINTS_BATCH.PRIVATE_UNCONSTRAINED")
def test_describe_image_constraints_batch(world: World) -> None:
    out = run(world, "describeImageConstraintsBatch")
    assert {c["imageId"] for c in out.result["imageConstraints"]} == {"img-lampthird1", "img-ubuntu18cd"}
    img, world = make_image(world)
    some = run(world, "describeImageConstraintsBatch", ids=["img-lampthird1", img, "img-nothere000"])
    assert [c["imageId"] for c in some.result["imageConstraints"]] == ["img-lampthird1"]
    assert some.result["imageConstraints"][0]["imageInstanceTypeConstraint"]["constraintsType"] == "includes"


def test_private_images_page_from_the_index_like_a_scan(world: World) -> None:
    """describeImages of the caller's private images reads the world's image_listings index; pages, order
    (oldest first, ties by id) and totals must be a scan's, with many images sharing one creation time (chunks
    split) and after images are deleted and others' private images added."""
    template = world.images["img-centos7cld"]
    world = world.evolve(accounts=world.accounts.set("alice", replace(
        world.accounts["alice"], quotas=tuple((n, 10**6) for n, _ in world.accounts["alice"].quotas))))
    for k in range(300):  # not in id order: the index sorts by (create_time, id)
        world = add_image(world, replace(template, image_id=f"img-many{(k * 7919) % 300:05d}", owner="alice",
                                         source="private", name=f"p-{k}", create_time=k % 3))
    world = add_image(world, replace(template, image_id="img-bobs00001", owner="bob", source="private"))
    for k in range(0, 300, 7):
        world = world.without_image(f"img-many{k:05d}")
    scan = sorted((i for i in world.images.values() if i.source == "private" and i.owner == "alice"),
                  key=lambda i: (i.create_time, i.image_id))
    for size, number in ((10, 1), (100, 1), (100, 3), (37, 7), (100, 9)):
        out = run(world, "describeImages", imageSource="private", pageSize=size, pageNumber=number)
        assert ids(out) == [i.image_id for i in scan[(number - 1) * size:number * size]], (size, number)
        assert out.result["totalCount"] == len(scan)
    out = run(world, "describeImages", imageSource="private", pageSize=100, imageName="p-1")
    assert ids(out) == [i.image_id for i in scan if "p-1" in i.name][:100]


def _listing_scan(world: World, caller: str, region: str, source: str | None) -> list[str]:
    """What describeImages lists, by definition: every image ``World.image`` lets the caller see in the region
    (with ``source``: that the caller sees as that source), oldest first, ties by id."""
    seen = [i for i in world.images.values() if world.image(caller, region, i.image_id) is not None
            and (source is None or source_for(caller, i) == source)]
    return [i.image_id for i in sorted(seen, key=lambda i: (i.create_time, i.image_id))]


def test_every_image_listing_from_the_index_like_a_scan(world: World) -> None:
    """describeImages of each source, and describeImageConstraintsBatch of all images, read the world's
    image_listings index; they must list what a scan of the world's images lists, for owners, accounts shared
    with, accounts shared with no more, other regions, and images a snapshot may hold oddly (shared with its
    own owner, with an account twice, a public image with a share list)."""
    template = world.images["img-centos7cld"]
    world = world.evolve(accounts=world.accounts.set("alice", replace(
        world.accounts["alice"], quotas=tuple((n, 10**6) for n, _ in world.accounts["alice"].quotas))))
    for k in range(150):  # many share a creation time: chunks split, ties go by id
        world = add_image(world, replace(template, image_id=f"img-list{(k * 61) % 150:05d}", owner="alice",
                                         source="private", name=f"p-{k}", create_time=k % 4))
    world = add_image(world, replace(template, image_id="img-bobs00001", owner="bob", source="private",
                                     shared_with=("alice", "carol", "carol", "bob")))
    world = add_image(world, replace(template, image_id="img-pubshared", owner="jdcloud", source="public",
                                     shared_with=("alice",), create_time=2))
    world = add_image(world, replace(template, image_id="img-east00001", owner="alice", source="private",
                                     region="cn-east-2"))
    # Images with an instance-type constraint that a snapshot may hold beside the official ones: a private one
    # shared with carol, and one deleted again.
    limited = ImageConstraint("excludes", ("g.n2.medium",))
    world = add_image(world, replace(template, image_id="img-limited01", owner="bob", source="private",
                                     shared_with=("carol",), constraint=limited, create_time=1))
    world = add_image(world, replace(template, image_id="img-limited02", owner="alice", source="private",
                                     constraint=limited))
    world = world.without_image("img-limited02")
    world = ok(run(world, "shareImage", imageId="img-list00003", pins=["bob", "carol"]))
    world = ok(run(world, "shareImage", imageId="img-list00004", pins=["bob"]))
    world = ok(run(world, "unShareImage", imageId="img-list00004", pins=["bob"]))
    world = ok(run(world, "deleteImage", imageId="img-list00005"))
    world = ok(run(world, "modifyImageAttribute", imageId="img-list00006", name="renamed"))

    for caller in ("alice", "bob", "carol", "member01"):
        for region in (NORTH, "cn-east-2"):
            assert [i.image_id for i in world.visible_images(caller, region)] == \
                _listing_scan(world, caller, region, None), (caller, region)
            for source in ("public", "thirdparty", "private", "shared"):
                expected = _listing_scan(world, caller, region, source)
                for size, number in ((100, 1), (100, 2), (10, 3)):
                    out = run(world, "describeImages", caller=caller, regionId=region, imageSource=source,
                              pageSize=size, pageNumber=number)
                    assert ids(out) == expected[(number - 1) * size:number * size], (caller, region, source)
                    assert out.result["totalCount"] == len(expected)
                filtered = run(world, "describeImages", caller=caller, regionId=region, imageSource=source,
                               pageSize=100, imageName="p-1")
                assert ids(filtered) == [i for i in expected if "p-1" in world.images[i].name][:100]
            batch = run(world, "describeImageConstraintsBatch", caller=caller, regionId=region)
            assert [c["imageId"] for c in batch.result["imageConstraints"]] == [
                i for i in _listing_scan(world, caller, region, None) if world.images[i].constraint is not None]
    assert ids(run(world, "describeImages", caller="carol", imageSource="shared")) == [
        "img-limited01", "img-list00003", "img-bobs00001"]  # created at 1 and 3, long before the template (2025)
    assert ids(run(world, "describeImages", caller="bob", imageSource="shared")) == ["img-list00003"]
    batch = run(world, "describeImageConstraintsBatch", caller="carol")
    assert {c["imageId"] for c in batch.result["imageConstraints"]} == {"img-lampthird1", "img-ubuntu18cd",
                                                                        "img-limited01"}
    alice = run(world, "describeImageConstraintsBatch", caller="alice").result["imageConstraints"]
    assert [c["imageId"] for c in alice] == ["img-lampthird1", "img-ubuntu18cd"]
