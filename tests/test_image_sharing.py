"""shareImage, unShareImage, describeImageMembers: only own private images, at most 20 accounts, no
whole-machine images, not oneself, unknown accounts NOT_FOUND, re-sharing idempotent; what recipients see."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import instance, ok, refused, run

from vmrules import World, settle
from vmrules.builders import DataDiskPlan, add_account
from vmrules.defaults import DEFAULT_QUOTAS, MEMBERS


def make_image(world: World, *, settled: bool = True, **kwargs: Any) -> tuple[str, World]:
    iid, world = instance(world, status="stopped", **kwargs)
    out = run(world, "createImage", instanceId=iid, name="shared-image")
    world = ok(out)
    return out.result["imageId"], settle(world) if settled else world


def share(world: World, img: str, pins: list[str], caller: str | None = None) -> Any:
    return run(world, "shareImage", caller=caller, imageId=img, pins=pins)


@pytest.mark.effect("SHARE_IMAGE.VISIBLE_TO_MEMBERS", "UNSHARE_IMAGE.HIDDEN_FROM_MEMBERS")
def test_share_makes_the_image_visible_and_usable_to_the_recipient(world: World) -> None:
    img, world = make_image(world)
    refused(run(world, "describeImage", caller="bob", imageId=img), "IMAGE.EXISTS", "NOT_FOUND")
    world = ok(share(world, img, ["bob"]))
    assert world.images[img].shared_with == ("bob",)
    view = run(world, "describeImage", caller="bob", imageId=img).result["image"]
    assert (view["imageSource"], view["ownerPin"]) == ("shared", "alice")
    assert run(world, "describeImage", imageId=img).result["image"]["imageSource"] == "private"
    world = ok(run(world, "unShareImage", imageId=img, pins=["bob"]))
    refused(run(world, "describeImage", caller="bob", imageId=img), "IMAGE.EXISTS", "NOT_FOUND")


def test_share_again_is_idempotent(world: World) -> None:
    img, world = make_image(world)
    world = ok(share(world, img, ["bob", "member01"]))
    world = ok(share(world, img, ["member01", "bob", "member02", "member02"]))
    assert world.images[img].shared_with == ("bob", "member01", "member02")


def test_share_by_login_names(world: World) -> None:
    img, world = make_image(world)
    world = ok(run(world, "shareImage", imageId=img, pins=["bob"], loginNames=["member01"]))
    assert world.images[img].shared_with == ("bob", "member01")
    world = ok(run(world, "unShareImage", imageId=img, loginNames=["bob"]))
    assert world.images[img].shared_with == ("member01",)


def test_unshare_of_an_account_not_shared_with_is_a_no_op(world: World) -> None:
    img, world = make_image(world)
    world = ok(share(world, img, ["bob"]))
    after = ok(run(world, "unShareImage", imageId=img, pins=["member05", "bob"]))
    assert after.images[img].shared_with == ()


@pytest.mark.rule("SHARE_IMAGE.OWN_PRIVATE")
def test_share_only_own_private(world: World) -> None:
    refused(share(world, "img-centos7cld", ["bob"]), "SHARE_IMAGE.OWN_PRIVATE", "PERMISSION_DENIED")
    refused(share(world, "img-lampthird1", ["bob"]), "SHARE_IMAGE.OWN_PRIVATE", "PERMISSION_DENIED")
    img, world = make_image(world)
    world = ok(share(world, img, ["bob"]))
    refused(share(world, img, ["member01"], caller="bob"), "SHARE_IMAGE.OWN_PRIVATE", "PERMISSION_DENIED")


@pytest.mark.rule("SHARE_IMAGE.ACCOUNTS_GIVEN")
def test_share_needs_accounts(world: World) -> None:
    img, world = make_image(world)
    refused(run(world, "shareImage", imageId=img), "SHARE_IMAGE.ACCOUNTS_GIVEN", "INVALID_ARGUMENT")
    refused(share(world, img, []), "SHARE_IMAGE.ACCOUNTS_GIVEN", "INVALID_ARGUMENT")
    ok(share(world, img, ["bob"]))


@pytest.mark.rule("SHARE_IMAGE.NOT_SELF")
def test_share_not_with_oneself(world: World) -> None:
    img, world = make_image(world)
    out = share(world, img, ["bob", "alice"])
    refused(out, "SHARE_IMAGE.NOT_SELF", "INVALID_ARGUMENT")
    assert out.error is not None and out.error.field == "pins.1"
    ok(share(world, img, ["bob"]))


@pytest.mark.rule("SHARE_IMAGE.ACCOUNTS_EXIST")
def test_share_with_unknown_account(world: World) -> None:
    img, world = make_image(world)
    out = share(world, img, ["bob", "nobody-at-all"])
    refused(out, "SHARE_IMAGE.ACCOUNTS_EXIST", "NOT_FOUND")
    assert out.error is not None and out.error.field == "pins.1"
    ok(share(world, img, ["bob", "carol"]))


@pytest.mark.rule("SHARE_IMAGE.NOT_WHOLE_MACHINE")
def test_share_refuses_whole_machine_images(world: World) -> None:
    whole, world = make_image(world, data_disks=[DataDiskPlan("ssd", 100)])
    refused(share(world, whole, ["bob"]), "SHARE_IMAGE.NOT_WHOLE_MACHINE", "INVALID_ARGUMENT")
    iid, world = instance(world, status="stopped", data_disks=[DataDiskPlan("ssd", 100)])
    out = run(world, "createImage", instanceId=iid, name="system-only",
              dataDisks=[{"deviceName": "vdb", "noDevice": True}])
    world = settle(ok(out))
    ok(share(world, out.result["imageId"], ["bob"]))


@pytest.mark.rule("SHARE_IMAGE.READY")
def test_share_needs_a_ready_image(world: World) -> None:
    img, pending = make_image(world, settled=False)
    refused(share(pending, img, ["bob"]), "SHARE_IMAGE.READY", "FAILED_PRECONDITION")
    ok(share(settle(pending), img, ["bob"]))


@pytest.mark.rule("SHARE_IMAGE.MEMBER_LIMIT")
def test_share_at_most_twenty_accounts(world: World) -> None:
    img, world = make_image(world)
    refused(share(world, img, list(MEMBERS[:21])), "SHARE_IMAGE.MEMBER_LIMIT", "FAILED_PRECONDITION")
    world = ok(share(world, img, list(MEMBERS[:12])))
    out = share(world, img, list(MEMBERS[10:21]))  # 2 already there, 9 new: 21 in total
    refused(out, "SHARE_IMAGE.MEMBER_LIMIT", "FAILED_PRECONDITION")
    assert out.world.images[img].shared_with == tuple(MEMBERS[:12])  # nothing shared
    world = ok(share(world, img, list(MEMBERS[10:20])))  # re-sharing counts once: 20 in total
    assert len(world.images[img].shared_with) == 20
    ok(share(world, img, [MEMBERS[0]]))  # idempotent at the limit
    refused(share(world, img, [MEMBERS[20]]), "SHARE_IMAGE.MEMBER_LIMIT", "FAILED_PRECONDITION")


@pytest.mark.rule("SHARE_IMAGE.SHARE_QUOTA")
def test_share_limit_follows_a_smaller_image_share_quota(world: World) -> None:
    world = add_account(world, "alice", quotas=[(k, 2 if k == "imageShare" else v) for k, v in DEFAULT_QUOTAS])
    img, world = make_image(world)
    world = ok(share(world, img, ["bob", "carol"]))
    refused(share(world, img, ["member01"]), "SHARE_IMAGE.SHARE_QUOTA", "QUOTA_EXCEEDED")


@pytest.mark.rule("UNSHARE_IMAGE.OWN_PRIVATE")
def test_unshare_only_own_private(world: World) -> None:
    refused(run(world, "unShareImage", imageId="img-centos7cld", pins=["bob"]), "UNSHARE_IMAGE.OWN_PRIVATE",
            "PERMISSION_DENIED")
    img, world = make_image(world)
    world = ok(share(world, img, ["bob"]))
    refused(run(world, "unShareImage", caller="bob", imageId=img, pins=["bob"]), "UNSHARE_IMAGE.OWN_PRIVATE",
            "PERMISSION_DENIED")
    ok(run(world, "unShareImage", imageId=img, pins=["bob"]))


@pytest.mark.rule("UNSHARE_IMAGE.ACCOUNTS_GIVEN")
def test_unshare_needs_accounts(world: World) -> None:
    img, world = make_image(world)
    world = ok(share(world, img, ["bob"]))
    refused(run(world, "unShareImage", imageId=img, pins=[]), "UNSHARE_IMAGE.ACCOUNTS_GIVEN", "INVALID_ARGUMENT")
    ok(run(world, "unShareImage", imageId=img, pins=["bob"]))


@pytest.mark.rule("UNSHARE_IMAGE.ACCOUNTS_EXIST")
def test_unshare_unknown_account(world: World) -> None:
    img, world = make_image(world)
    world = ok(share(world, img, ["bob"]))
    refused(run(world, "unShareImage", imageId=img, pins=["ghost"]), "UNSHARE_IMAGE.ACCOUNTS_EXIST", "NOT_FOUND")
    ok(run(world, "unShareImage", imageId=img, pins=["bob"]))


@pytest.mark.rule("DESCRIBE_IMAGE_MEMBERS.OWN_PRIVATE")
def test_describe_members_only_own_private(world: World) -> None:
    refused(run(world, "describeImageMembers", imageId="img-centos7cld"), "DESCRIBE_IMAGE_MEMBERS.OWN_PRIVATE",
            "PERMISSION_DENIED")
    img, world = make_image(world)
    assert run(world, "describeImageMembers", imageId=img).result == {"pins": []}
    world = ok(share(world, img, ["member03", "bob"]))
    assert run(world, "describeImageMembers", imageId=img).result == {"pins": ["member03", "bob"]}
    refused(run(world, "describeImageMembers", caller="bob", imageId=img), "DESCRIBE_IMAGE_MEMBERS.OWN_PRIVATE",
            "PERMISSION_DENIED")
