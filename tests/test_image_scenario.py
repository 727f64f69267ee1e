"""The scenario of issue 4 through ``execute`` with wire JSON: make an image, share it with 20 accounts, the
21st refused, quotas, a recipient who sees and uses the image but may not share it, unshare, delete; and
copyImages of local and cloud images."""

from __future__ import annotations

from typing import Any

from helpers import instance

from vmrules import Outcome, World, execute, settle
from vmrules.defaults import MEMBERS

NORTH = "cn-north-1"


def call(world: World, operation: str, params: dict[str, Any], caller: str | None = None) -> Outcome:
    return execute(world, operation, {"regionId": NORTH, **params}, caller=caller)


def good(outcome: Outcome) -> World:
    assert outcome.error is None, outcome.error
    return outcome.world


def bad(outcome: Outcome, status: str, rule: str) -> None:
    assert outcome.error is not None, "expected a refusal"
    assert (outcome.error.status, outcome.error.rule) == (status, rule), outcome.error
    assert outcome.to_response("r")["error"]["status"] == status


def create_instance(world: World, caller: str, subnet: str, image: str, name: str) -> tuple[str, World]:
    spec = {
        "name": name,
        "az": "cn-north-1a",
        "instanceType": "g.n2.medium",
        "imageId": image,
        "primaryNetworkInterface": {"deviceIndex": 1, "networkInterface": {"subnetId": subnet}},
        "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}},
    }
    out = call(world, "createInstances", {"instanceSpec": spec}, caller=caller)
    world = settle(good(out))
    [instance_id] = out.result["instanceIds"]
    assert world.instances[instance_id].status == "running"
    return instance_id, world


def test_issue_4_scenario(world: World) -> None:
    # alice creates an instance, stops it and makes an image of it.
    vm, world = create_instance(world, "alice", "subnet-main00001a", "img-centos7cld", "web")
    world = settle(good(call(world, "stopInstance", {"instanceId": vm})))
    assert world.instances[vm].status == "stopped"
    out = call(world, "createImage", {"instanceId": vm, "name": "web-golden", "description": "golden image"})
    world = good(out)
    image_id = out.result["imageId"]
    seen = call(world, "describeImage", {"imageId": image_id}).result["image"]
    assert (seen["status"], seen["imageSource"], seen["rootDeviceType"]) == ("pending", "private", "cloudDisk")
    world = settle(world)
    assert call(world, "describeImage", {"imageId": image_id}).result["image"]["status"] == "ready"

    # Share with 20 accounts in two calls; a 21st is refused and nothing changes.
    world = good(call(world, "shareImage", {"imageId": image_id, "pins": list(MEMBERS[:10])}))
    world = good(call(world, "shareImage", {"imageId": image_id, "pins": ["bob", *MEMBERS[10:19]]}))
    bad(call(world, "shareImage", {"imageId": image_id, "pins": [MEMBERS[19]]}), "FAILED_PRECONDITION",
        "SHARE_IMAGE.MEMBER_LIMIT")
    members = call(world, "describeImageMembers", {"imageId": image_id}).result["pins"]
    assert len(members) == 20 and set(members) == {"bob", *MEMBERS[:19]}
    share_quota = call(world, "describeQuotas", {"imageId": image_id,
                                                 "filters": [{"name": "resourceTypes", "values": ["imageShare"]}]})
    assert share_quota.result["quotas"] == [{"resourceType": "imageShare", "limit": 20, "used": 20}]
    bad(call(world, "deleteImage", {"imageId": image_id}), "FAILED_PRECONDITION", "DELETE_IMAGE.NOT_SHARED")

    # bob sees the shared image, launches an instance from it, but may not share, modify or delete it.
    shared = call(world, "describeImages", {"imageSource": "shared"}, caller="bob")
    assert [(i["imageId"], i["imageSource"]) for i in shared.result["images"]] == [(image_id, "shared")]
    assert shared.result["totalCount"] == 1
    bobs_vm, world = create_instance(world, "bob", "subnet-bobnet001a", image_id, "from-shared")
    assert world.instances[bobs_vm].owner == "bob" and world.instances[bobs_vm].image_id == image_id
    bad(call(world, "shareImage", {"imageId": image_id, "pins": ["carol"]}, caller="bob"), "PERMISSION_DENIED",
        "SHARE_IMAGE.OWN_PRIVATE")
    bad(call(world, "modifyImageAttribute", {"imageId": image_id, "name": "mine"}, caller="bob"),
        "PERMISSION_DENIED", "MODIFY_IMAGE_ATTRIBUTE.OWN_PRIVATE")
    bad(call(world, "deleteImage", {"imageId": image_id}, caller="bob"), "PERMISSION_DENIED",
        "DELETE_IMAGE.OWN_PRIVATE")
    # carol, not a member, cannot see it at all.
    bad(call(world, "describeImage", {"imageId": image_id}, caller="carol"), "NOT_FOUND", "IMAGE.EXISTS")

    # Unshare everyone, then the image can be deleted and is gone.
    world = good(call(world, "unShareImage", {"imageId": image_id, "pins": members}))
    assert call(world, "describeImageMembers", {"imageId": image_id}).result["pins"] == []
    assert call(world, "describeImages", {"imageSource": "shared"}, caller="bob").result["totalCount"] == 0
    world = good(call(world, "deleteImage", {"imageId": image_id}))
    assert call(world, "describeImage", {"imageId": image_id}).result["image"]["status"] == "deleting"
    world = settle(world)
    bad(call(world, "describeImage", {"imageId": image_id}), "NOT_FOUND", "IMAGE.EXISTS")
    quota = call(world, "describeQuotas", {"filters": [{"name": "resourceTypes", "values": ["image"]}]})
    assert quota.result["quotas"] == [{"resourceType": "image", "limit": 20, "used": 0}]


def test_copy_images_scenario(world: World) -> None:
    local_vm, world = instance(world, status="stopped", system_disk="local", image_id="img-centos7lcl")
    cloud_vm, world = instance(world, status="stopped")
    local = call(world, "createImage", {"instanceId": local_vm, "name": "local-image"})
    world = good(local)
    cloud = call(world, "createImage", {"instanceId": cloud_vm, "name": "cloud-image"})
    world = settle(good(cloud))

    bad(call(world, "copyImages", {"sourceImageIds": [local.result["imageId"]], "destinationRegion": "cn-east-2"}),
        "INVALID_ARGUMENT", "COPY_IMAGES.CLOUD_DISK_ONLY")
    out = call(world, "copyImages", {"sourceImageIds": [cloud.result["imageId"]], "destinationRegion": "cn-east-2"})
    world = good(out)
    [pair] = out.result["copyImages"]
    assert pair["sourceImageId"] == cloud.result["imageId"]
    east = execute(world, "describeImages", {"regionId": "cn-east-2", "imageSource": "private"})
    assert [(i["imageId"], i["status"]) for i in east.result["images"]] == [(pair["destinationImageId"], "pending")]
    world = settle(world)
    east = execute(world, "describeImage", {"regionId": "cn-east-2", "imageId": pair["destinationImageId"]})
    assert east.result["image"]["status"] == "ready"
