"""Edges of createImage's dataDisks that tests/test_images.py leaves open: the exact size bounds and step of
each disk type, the exact data-disk limit for local and cloud system disks, and entries the rules skip."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import instance, ok, refused, run

from vmrules import Outcome, World, check, settle
from vmrules.builders import DataDiskPlan, add_account
from vmrules.defaults import DEFAULT_QUOTAS, MEMBERS

IA = "INVALID_ARGUMENT"


def stopped(world: World, **kwargs: Any) -> tuple[str, World]:
    return instance(world, status="stopped", **kwargs)


def create_image(world: World, iid: str, *entries: dict[str, Any]) -> Outcome:
    return run(world, "createImage", instanceId=iid, name="img", dataDisks=list(entries))


def new_disk(device: str, **spec: Any) -> dict[str, Any]:
    return {"deviceName": device, "cloudDiskSpec": spec or {"diskType": "ssd", "diskSizeGB": 20}}


@pytest.mark.rule("CREATE_IMAGE.DATA_DISK_SPEC")
@pytest.mark.parametrize(("disk_type", "size", "accepted"), [
    ("ssd", 10, False), ("ssd", 20, True), ("ssd", 1000, True), ("ssd", 1010, False), ("ssd", 30, True),
    ("ssd", 35, False), ("premium-hdd", 10, False), ("premium-hdd", 20, True), ("premium-hdd", 3000, True),
    ("premium-hdd", 3010, False), (None, 1000, True), (None, 1010, False), (None, 10, False),
])
def test_create_image_data_disk_size_bounds(world: World, disk_type: str | None, size: int,
                                            accepted: bool) -> None:
    iid, world = stopped(world)
    spec: dict[str, Any] = {"diskSizeGB": size, "snapshotId": "snapshot-ssd0000001"}
    if disk_type is not None:
        spec = {"diskType": disk_type, "diskSizeGB": size}
    out = create_image(world, iid, new_disk("vdb", **spec))
    if accepted:
        image = ok(out).images[out.result["imageId"]]
        assert [(d.device_name, d.size_gb) for d in image.data_disks] == [("vdb", size)]
    else:
        refused(out, "CREATE_IMAGE.DATA_DISK_SPEC", IA)
        assert out.error is not None and out.error.field == "dataDisks.0.cloudDiskSpec.diskSizeGB"
        assert f"is {size};" in out.error.message
        bounds = "20 to 3000 GB" if disk_type == "premium-hdd" else "20 to 1000 GB"
        assert f"{bounds} in steps of 10" in out.error.message


@pytest.mark.rule("CREATE_IMAGE.DATA_DISK_SPEC")
def test_create_image_data_disk_spec_names_every_bad_entry(world: World) -> None:
    iid, world = stopped(world)
    out = create_image(world, iid, new_disk("vdb"), new_disk("vdc", diskType="ssd", diskSizeGB=5),
                       new_disk("vdd", diskType="nvme", diskSizeGB=20))
    refused(out, "CREATE_IMAGE.DATA_DISK_SPEC", IA)
    assert out.error is not None and out.error.field == "dataDisks.1.cloudDiskSpec.diskSizeGB"
    fields = [e.field for e in check(world, "createImage", {"regionId": "cn-north-1", "instanceId": iid,
                                                            "name": "img", "dataDisks": [
                                                                new_disk("vdb"),
                                                                new_disk("vdc", diskType="ssd", diskSizeGB=5),
                                                                new_disk("vdd", diskType="nvme", diskSizeGB=20)]})]
    assert fields == ["dataDisks.1.cloudDiskSpec.diskSizeGB", "dataDisks.2.cloudDiskSpec.diskType"]


@pytest.mark.rule("CREATE_IMAGE.DATA_DISK_SPEC")
def test_a_dropped_disk_s_spec_is_not_checked(world: World) -> None:
    iid, world = stopped(world, data_disks=[DataDiskPlan("ssd", 100)])
    out = create_image(world, iid, {"deviceName": "vdb", "noDevice": True,
                                    "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 5}})
    image = ok(out).images[out.result["imageId"]]
    assert image.data_disks == ()


@pytest.mark.rule("CREATE_IMAGE.DATA_DISK_LIMIT")
def test_local_system_disk_image_carries_exactly_eight_data_disks(world: World) -> None:
    iid, world = stopped(world, system_disk="local", image_id="img-centos7lcl",
                         data_disks=[DataDiskPlan("ssd", 20)] * 7)
    out = create_image(world, iid, new_disk("vdi"))
    assert len(ok(out).images[out.result["imageId"]].data_disks) == 8
    out = create_image(world, iid, new_disk("vdi"), new_disk("vdj"))
    refused(out, "CREATE_IMAGE.DATA_DISK_LIMIT", IA)
    assert out.error is not None and "9 data disks" in out.error.message and "at most 8" in out.error.message


@pytest.mark.rule("CREATE_IMAGE.DATA_DISK_LIMIT")
def test_cloud_system_disk_image_carries_exactly_seven_data_disks(world: World) -> None:
    iid, world = stopped(world, data_disks=[DataDiskPlan("ssd", 20)] * 6)
    out = create_image(world, iid, new_disk("vdh"))
    assert len(ok(out).images[out.result["imageId"]].data_disks) == 7
    out = create_image(world, iid, new_disk("vdh"), new_disk("vdi"))
    refused(out, "CREATE_IMAGE.DATA_DISK_LIMIT", IA)
    assert out.error is not None and "8 data disks" in out.error.message


@pytest.mark.rule("CREATE_IMAGE.DATA_DISK_LIMIT")
def test_replacing_and_dropping_count_once_against_the_limit(world: World) -> None:
    iid, world = stopped(world, data_disks=[DataDiskPlan("ssd", 20)] * 7)
    replaced = create_image(world, iid, new_disk("vdb", diskType="premium-hdd", diskSizeGB=40))
    image = ok(replaced).images[replaced.result["imageId"]]
    assert len(image.data_disks) == 7
    assert (image.data_disks[0].disk_type, image.data_disks[0].size_gb) == ("premium-hdd", 40)
    swapped = create_image(world, iid, {"deviceName": "vdc", "noDevice": True}, new_disk("vdi"))
    image = ok(swapped).images[swapped.result["imageId"]]
    assert [d.device_name for d in image.data_disks] == ["vdb", "vdd", "vde", "vdf", "vdg", "vdh", "vdi"]


@pytest.mark.rule("CREATE_IMAGE.DATA_DISK_SPEC")
def test_a_replacement_spec_keeps_what_it_does_not_name(world: World) -> None:
    iid, world = stopped(world, data_disks=[DataDiskPlan("ssd", 60), DataDiskPlan("ssd", 70)])
    typed = create_image(world, iid, new_disk("vdc", diskType="premium-hdd"))
    image = ok(typed).images[typed.result["imageId"]]
    assert [(d.device_name, d.disk_type, d.size_gb) for d in image.data_disks] == [
        ("vdb", "ssd", 60), ("vdc", "premium-hdd", 70)]
    sized = create_image(world, iid, new_disk("vdb", diskSizeGB=100))
    image = ok(sized).images[sized.result["imageId"]]
    assert [(d.disk_type, d.size_gb) for d in image.data_disks] == [("ssd", 100), ("ssd", 70)]


def made_image(world: World) -> tuple[str, World]:
    iid, world = stopped(world)
    out = run(world, "createImage", instanceId=iid, name="edge-image")
    return out.result["imageId"], settle(ok(out))


@pytest.mark.rule("SHARE_IMAGE.MEMBER_LIMIT")
@pytest.mark.parametrize("share_quota", [50, 21, 20])
def test_the_seed_s_twenty_caps_a_larger_share_quota(world: World, share_quota: int) -> None:
    world = add_account(world, "alice", quotas=[(k, share_quota if k == "imageShare" else v)
                                                for k, v in DEFAULT_QUOTAS])
    img, world = made_image(world)
    world = ok(run(world, "shareImage", imageId=img, pins=list(MEMBERS[:20])))
    out = run(world, "shareImage", imageId=img, pins=[MEMBERS[20]])
    refused(out, "SHARE_IMAGE.MEMBER_LIMIT", "FAILED_PRECONDITION")
    assert out.error is not None and "limit of 20" in out.error.message


@pytest.mark.rule("SHARE_IMAGE.SHARE_QUOTA")
@pytest.mark.parametrize("share_quota", [0, None])
def test_a_share_quota_of_zero_or_left_out_allows_no_share(world: World, share_quota: int | None) -> None:
    """An account's quotas leaving imageShare out give it limit 0, as for every other type (world-format.md);
    describeQuotas reports that 0, and the first share is refused by the quota."""
    quotas = [(k, 0 if k == "imageShare" else v) for k, v in DEFAULT_QUOTAS if share_quota == 0 or k != "imageShare"]
    world = add_account(world, "alice", quotas=quotas)
    img, world = made_image(world)
    out = run(world, "shareImage", imageId=img, pins=[MEMBERS[0]])
    refused(out, "SHARE_IMAGE.SHARE_QUOTA", "QUOTA_EXCEEDED")
    described = run(world, "describeQuotas", imageId=img, filters=[{"name": "resourceTypes",
                                                                    "values": ["imageShare"]}])
    assert described.ok and described.result["quotas"] == [{"resourceType": "imageShare", "limit": 0, "used": 0}]


@pytest.mark.rule("COPY_IMAGES.IDS_COUNT")
def test_copy_images_takes_exactly_one_to_ten_ids(world: World) -> None:
    def count_errors(n: int) -> list[str]:
        params = {"regionId": "cn-north-1", "sourceImageIds": [f"img-edge{k:06d}" for k in range(n)],
                  "destinationRegion": "cn-east-2"}
        return [e.rule for e in check(world, "copyImages", params) if e.rule == "COPY_IMAGES.IDS_COUNT"]

    assert count_errors(10) == [] and count_errors(1) == []
    assert count_errors(11) == ["COPY_IMAGES.IDS_COUNT"] and count_errors(0) == ["COPY_IMAGES.IDS_COUNT"]


@pytest.mark.rule("DELETE_IMAGE.OWN_PRIVATE")
@pytest.mark.rule("COPY_IMAGES.OWN_PRIVATE")
def test_refusals_say_what_kind_of_image_it_is(world: World) -> None:
    def message(operation: str, image_id: str, caller: str | None = None) -> str:
        params: dict[str, Any] = ({"sourceImageIds": [image_id], "destinationRegion": "cn-east-2"}
                                  if operation == "copyImages" else {"imageId": image_id})
        out = run(world, operation, caller=caller, **params)
        assert out.error is not None and out.error.status == "PERMISSION_DENIED", out.error
        return out.error.message

    img, world = made_image(world)
    world = ok(run(world, "shareImage", imageId=img, pins=["bob"]))
    for operation in ("deleteImage", "copyImages"):
        assert "is an official image;" in message(operation, "img-centos7cld")
        assert "is a third-party image;" in message(operation, "img-lampthird1")
        assert "is a private image of account alice shared with you;" in message(operation, img, caller="bob")


@pytest.mark.rule("SHARE_IMAGE.SHARE_QUOTA")
def test_an_image_share_quota_of_one_allows_one_share(world: World) -> None:
    world = add_account(world, "alice", quotas=[(k, 1 if k == "imageShare" else v) for k, v in DEFAULT_QUOTAS])
    img, world = made_image(world)
    world = ok(run(world, "shareImage", imageId=img, pins=["bob"]))
    out = run(world, "shareImage", imageId=img, pins=["carol"])
    refused(out, "SHARE_IMAGE.SHARE_QUOTA", "QUOTA_EXCEEDED")
    assert out.error is not None and out.error.code == 429 and "limit of 1" in out.error.message
    assert out.world == world  # nothing shared


@pytest.mark.rule("SHARE_IMAGE.SHARE_QUOTA")
@pytest.mark.rule("SHARE_IMAGE.MEMBER_LIMIT")
@pytest.mark.parametrize(("share_quota", "refusal"), [(19, ("SHARE_IMAGE.SHARE_QUOTA", "QUOTA_EXCEEDED")),
                                                      (20, ("SHARE_IMAGE.MEMBER_LIMIT", "FAILED_PRECONDITION"))])
def test_a_share_quota_below_twenty_is_a_quota_and_twenty_the_seed_s_limit(
        world: World, share_quota: int, refusal: tuple[str, str]) -> None:
    world = add_account(world, "alice", quotas=[(k, share_quota if k == "imageShare" else v)
                                                for k, v in DEFAULT_QUOTAS])
    img, world = made_image(world)
    world = ok(run(world, "shareImage", imageId=img, pins=list(MEMBERS[:share_quota])))
    out = run(world, "shareImage", imageId=img, pins=[MEMBERS[share_quota]])
    refused(out, *refusal)
    assert [e.rule for e in check(world, "shareImage", {"regionId": "cn-north-1", "imageId": img,
                                                        "pins": [MEMBERS[share_quota]]})] == [refusal[0]]


def test_a_local_disk_image_s_data_snapshots_become_available(world: World) -> None:
    """The image has no system-disk snapshot; its data-disk snapshots still finish with it."""
    iid, world = stopped(world, system_disk="local", image_id="img-centos7lcl",
                         data_disks=[DataDiskPlan("ssd", 100), DataDiskPlan("premium-hdd", 200)])
    out = run(world, "createImage", instanceId=iid, name="img")
    image = ok(out).images[out.result["imageId"]]
    assert image.snapshot_id is None
    assert [(d.device_name, d.disk_type, d.size_gb) for d in image.data_disks] == [
        ("vdb", "ssd", 100), ("vdc", "premium-hdd", 200)]
    done = settle(ok(out))
    assert [done.snapshots[str(d.snapshot_id)].status for d in image.data_disks] == ["available", "available"]


def test_deleting_an_image_with_its_snapshots_keeps_a_snapshot_it_was_made_from(world: World) -> None:
    iid, world = stopped(world)
    out = create_image(world, iid, new_disk("vdb", snapshotId="snapshot-ssd0000001"),
                       new_disk("vdc", diskType="ssd", diskSizeGB=50))
    img = out.result["imageId"]
    world = settle(ok(out))
    own = [sid for sid, s in world.snapshots.items() if s.image_id == img]
    assert len(own) == 1  # the system disk's; vdb reuses the caller's snapshot, vdc has none
    gone = settle(ok(run(world, "deleteImage", imageId=img, deleteSnapshot=True)))
    assert "snapshot-ssd0000001" in gone.snapshots and gone.snapshots["snapshot-ssd0000001"].status == "available"
    assert own[0] not in gone.snapshots


@pytest.mark.rule("CREATE_IMAGE.DATA_DISK_DEVICE_UNIQUE")
def test_device_unique_looks_past_an_entry_without_a_name(world: World) -> None:
    iid, world = stopped(world, data_disks=[DataDiskPlan("ssd", 100)])
    drop = {"deviceName": "vdb", "noDevice": True}
    params = {"regionId": "cn-north-1", "instanceId": iid, "name": "img", "dataDisks": [{"noDevice": True}, drop, drop]}
    unique = [e.field for e in check(world, "createImage", params) if e.rule == "CREATE_IMAGE.DATA_DISK_DEVICE_UNIQUE"]
    assert unique == ["dataDisks.2.deviceName"]


@pytest.mark.rule("SHARE_IMAGE.MEMBER_LIMIT")
def test_an_image_whose_owner_is_no_account_is_held_to_the_seed_s_twenty(world: World) -> None:
    """check evaluates every rule: for an official image (owned by the platform) the limit is the seed's 20."""
    def rules(n: int) -> list[str]:
        return [e.rule for e in check(world, "shareImage", {"regionId": "cn-north-1", "imageId": "img-centos7cld",
                                                            "pins": list(MEMBERS[:n])})]

    assert rules(20) == ["SHARE_IMAGE.OWN_PRIVATE"]
    assert rules(21) == ["SHARE_IMAGE.OWN_PRIVATE", "SHARE_IMAGE.MEMBER_LIMIT"]


@pytest.mark.rule("CREATE_IMAGE.DATA_DISK_SPEC")
def test_disk_spec_rule_looks_past_entries_it_skips_or_refuses(world: World) -> None:
    iid, world = stopped(world, data_disks=[DataDiskPlan("ssd", 100)])
    entries = [{"deviceName": "vdb"}, new_disk("vdc", diskType="nvme", diskSizeGB=20), new_disk("vdd", diskType="ssd"),
               new_disk("vde", diskType="ssd", diskSizeGB=5)]
    params = {"regionId": "cn-north-1", "instanceId": iid, "name": "img", "dataDisks": entries}
    fields = [e.field for e in check(world, "createImage", params) if e.rule == "CREATE_IMAGE.DATA_DISK_SPEC"]
    assert fields == ["dataDisks.1.cloudDiskSpec.diskType", "dataDisks.3.cloudDiskSpec.diskSizeGB"]


@pytest.mark.rule("CREATE_IMAGE.DATA_DISK_SNAPSHOT_EXISTS")
def test_snapshot_exists_looks_past_an_entry_without_a_snapshot(world: World) -> None:
    iid, world = stopped(world)
    out = create_image(world, iid, new_disk("vdb"), new_disk("vdc", snapshotId="snapshot-nothere001"))
    refused(out, "CREATE_IMAGE.DATA_DISK_SNAPSHOT_EXISTS", "NOT_FOUND")
    assert out.error is not None and out.error.field == "dataDisks.1.cloudDiskSpec.snapshotId"


@pytest.mark.rule("CREATE_IMAGE.DATA_DISK_NEW_NEEDS_SPEC")
def test_new_needs_spec_looks_past_an_attached_device(world: World) -> None:
    iid, world = stopped(world, data_disks=[DataDiskPlan("ssd", 100)])
    out = create_image(world, iid, {"deviceName": "vdb"}, {"deviceName": "vdc"})
    refused(out, "CREATE_IMAGE.DATA_DISK_NEW_NEEDS_SPEC", IA)
    assert out.error is not None and out.error.field == "dataDisks.1.cloudDiskSpec"


def test_the_image_takes_the_base_image_s_platform_and_the_system_disk_s_type_and_size(world: World) -> None:
    iid, world = stopped(world, image_id="img-ubuntu18cd", system_disk_type="premium-hdd", system_disk_size_gb=60)
    out = run(world, "createImage", instanceId=iid, name="img")
    image = ok(out).images[out.result["imageId"]]
    base = world.images["img-ubuntu18cd"]
    assert (image.platform, image.os_type, image.os_version, image.architecture) == (
        base.platform, base.os_type, base.os_version, base.architecture)
    assert image.platform == "Ubuntu" and image.system_disk_size_gb == 60
    snap = out.world.snapshots[str(image.snapshot_id)]
    assert (snap.disk_type, snap.size_gb, snap.source_disk_id) == (
        "premium-hdd", 60, world.instances[iid].system_disk.disk_id)


@pytest.mark.parametrize(("base", "os_type"), [("img-win2012r2c", "windows"), ("img-centos7cld", "linux")])
def test_the_image_s_size_and_os_type_come_from_the_instance(world: World, base: str, os_type: str) -> None:
    iid, world = stopped(world, image_id=base, system_disk_size_gb=80)
    out = run(world, "createImage", instanceId=iid, name="img")
    image = ok(out).images[out.result["imageId"]]
    assert (image.os_type, image.system_disk_size_gb, image.size_mb) == (os_type, 80, 80 * 1024)


@pytest.mark.rule("DELETE_IMAGE.LOCAL_IMAGE_IN_USE")
def test_local_image_in_use_names_at_most_five_instances(world: World) -> None:
    iid, world = stopped(world, system_disk="local", image_id="img-centos7lcl")
    out = run(world, "createImage", instanceId=iid, name="local")
    img, world = out.result["imageId"], settle(ok(out))
    users = []
    for n in range(6):
        uid, world = instance(world, system_disk="local", image_id=img)
        users.append(uid)
        refusal = run(world, "deleteImage", imageId=img)
        refused(refusal, "DELETE_IMAGE.LOCAL_IMAGE_IN_USE", "FAILED_PRECONDITION")
        assert refusal.error is not None
        shown = ", ".join(sorted(users)[:5]) + (", ..." if n == 5 else "")
        assert f"{n + 1} instance(s) use it ({shown})" in refusal.error.message


def test_copy_images_copies_each_snapshot_with_its_type_and_size(world: World) -> None:
    iid, world = stopped(world, system_disk_type="premium-hdd", system_disk_size_gb=60,
                         data_disks=[DataDiskPlan("premium-hdd", 200)])
    out = create_image(world, iid, new_disk("vdc", diskType="ssd", diskSizeGB=50))
    img, world = out.result["imageId"], settle(ok(out))
    copied = run(world, "copyImages", sourceImageIds=[img], destinationRegion="cn-east-2")
    new = ok(copied).images[copied.result["copyImages"][0]["destinationImageId"]]
    snapshots = copied.world.snapshots
    system = snapshots[str(new.snapshot_id)]
    assert (system.region, system.disk_type, system.size_gb, system.image_id) == ("cn-east-2", "premium-hdd", 60,
                                                                                  new.image_id)
    [kept, added] = new.data_disks
    assert added.snapshot_id is None and (added.disk_type, added.size_gb) == ("ssd", 50)
    data = snapshots[str(kept.snapshot_id)]
    assert (data.region, data.disk_type, data.size_gb, data.image_id) == ("cn-east-2", "premium-hdd", 200,
                                                                          new.image_id)


@pytest.mark.rule("SHARE_IMAGE.ACCOUNTS_GIVEN")
@pytest.mark.rule("UNSHARE_IMAGE.ACCOUNTS_GIVEN")
@pytest.mark.parametrize("operation", ["shareImage", "unShareImage"])
def test_a_finding_about_the_accounts_names_the_list_the_request_gave(world: World, operation: str) -> None:
    img, world = made_image(world)
    prefix = "SHARE_IMAGE" if operation == "shareImage" else "UNSHARE_IMAGE"

    def given(**lists: list[str]) -> list[str | None]:
        return [e.field for e in check(world, operation, {"regionId": "cn-north-1", "imageId": img, **lists})
                if e.rule == f"{prefix}.ACCOUNTS_GIVEN"]

    assert given(loginNames=[]) == ["loginNames"] and given(pins=[]) == ["pins"] and given() == ["pins"]
    assert given(pins=[], loginNames=[]) == ["loginNames"]


@pytest.mark.rule("SHARE_IMAGE.MEMBER_LIMIT")
def test_the_member_limit_names_login_names_when_the_request_used_them(world: World) -> None:
    img, world = made_image(world)
    world = ok(run(world, "shareImage", imageId=img, pins=list(MEMBERS[:20])))
    out = run(world, "shareImage", imageId=img, loginNames=[MEMBERS[20]])
    refused(out, "SHARE_IMAGE.MEMBER_LIMIT", "FAILED_PRECONDITION")
    assert out.error is not None and out.error.field == "loginNames"
    assert run(world, "shareImage", imageId=img, pins=[MEMBERS[20]]).error.field == "pins"  # type: ignore[union-attr]
