"""describeQuotas: limits from the account, `used` from the world's usage counters, imageShare per image."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from helpers import instance, ok, refused, run

from vmrules import World, settle
from vmrules.builders import add_keypair
from vmrules.usage import instance_usage, recount_usage


def quotas(out: Any) -> dict[str, tuple[int, int]]:
    assert out.error is None, out.error
    return {q["resourceType"]: (q["used"], q["limit"]) for q in out.result["quotas"]}


def resource_types(*values: str) -> list[dict[str, Any]]:
    return [{"name": "resourceTypes", "values": list(values)}]


@pytest.mark.effect("DESCRIBE_QUOTAS.TYPES")
def test_default_world_quotas(world: World) -> None:
    out = run(world, "describeQuotas")
    assert [q["resourceType"] for q in out.result["quotas"]] == [
        "instance", "instance_cpu", "instance_memory", "image", "keypair", "instanceTemplate"]
    assert quotas(out) == {"instance": (0, 50), "instance_cpu": (0, 400), "instance_memory": (0, 1600),
                           "image": (0, 20), "keypair": (2, 20), "instanceTemplate": (1, 20)}
    assert quotas(run(world, "describeQuotas", caller="bob"))["keypair"] == (0, 20)
    assert quotas(run(world, "describeQuotas", regionId="cn-east-2"))["keypair"] == (0, 20)


@pytest.mark.rule("CREATE_INSTANCES.QUOTA_INSTANCE")
def test_a_resource_type_an_account_does_not_list_has_no_room(world: World) -> None:
    """An account's quotas name their resource types; one left out is a limit of 0 (docs/world-format.md)."""
    alice = world.accounts["alice"]
    without = tuple(q for q in alice.quotas if q[0] != "instance")
    world = world.evolve(accounts=world.accounts.set("alice", replace(alice, quotas=without)))
    assert quotas(run(world, "describeQuotas", filters=resource_types("instance")))["instance"] == (0, 0)
    out = run(world, "createInstances", instanceSpec={
        "az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": "img-centos7cld", "name": "web",
        "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
        "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}}})
    refused(out, "CREATE_INSTANCES.QUOTA_INSTANCE", "QUOTA_EXCEEDED")


def test_used_follows_the_world(world: World) -> None:
    iid, world = instance(world, status="stopped", instance_type="g.n2.large")
    world = add_keypair(world, owner="alice", region="cn-north-1", key_name="third")
    world = settle(ok(run(world, "createImage", instanceId=iid, name="img")))
    got = quotas(run(world, "describeQuotas", filters=resource_types("instance", "instance_cpu",
                                                                        "instance_memory", "image", "keypair")))
    assert got == {"instance": (1, 50), "instance_cpu": (4, 400), "instance_memory": (16, 1600),
                   "image": (1, 20), "keypair": (3, 20)}
    for resource_type, (used, _) in got.items():
        assert used == world.used("alice", "cn-north-1", resource_type)


def test_filter_order_and_duplicates(world: World) -> None:
    out = run(world, "describeQuotas", filters=resource_types("keypair", "instance", "keypair"))
    assert [q["resourceType"] for q in out.result["quotas"]] == ["keypair", "instance"]


def test_image_share_quota(world: World) -> None:
    iid, world = instance(world, status="stopped")
    out = run(world, "createImage", instanceId=iid, name="img")
    img = out.result["imageId"]
    world = settle(ok(out))
    world = ok(run(world, "shareImage", imageId=img, pins=["bob", "carol"]))
    got = quotas(run(world, "describeQuotas", filters=resource_types("imageShare"), imageId=img))
    assert got == {"imageShare": (2, 20)}
    everything = quotas(run(world, "describeQuotas", imageId=img))
    assert everything["imageShare"] == (2, 20) and everything["image"] == (1, 20)


@pytest.mark.rule("DESCRIBE_QUOTAS.RESOURCE_TYPE")
def test_unknown_resource_type(world: World) -> None:
    out = run(world, "describeQuotas", filters=resource_types("instance", "disk"))
    refused(out, "DESCRIBE_QUOTAS.RESOURCE_TYPE", "INVALID_ARGUMENT")
    assert out.error is not None and out.error.field == "filters.0.values.1"
    quotas(run(world, "describeQuotas", filters=resource_types("instanceTemplate")))


@pytest.mark.rule("DESCRIBE_QUOTAS.IMAGE_ID_FOR_SHARE")
def test_image_share_needs_image_id(world: World) -> None:
    refused(run(world, "describeQuotas", filters=resource_types("imageShare")), "DESCRIBE_QUOTAS.IMAGE_ID_FOR_SHARE",
            "INVALID_ARGUMENT")
    assert "imageShare" not in quotas(run(world, "describeQuotas"))


@pytest.mark.rule("DESCRIBE_QUOTAS.IMAGE_OWN_PRIVATE")
def test_image_share_of_someone_elses_image(world: World) -> None:
    refused(run(world, "describeQuotas", filters=resource_types("imageShare"), imageId="img-centos7cld"),
            "DESCRIBE_QUOTAS.IMAGE_OWN_PRIVATE", "PERMISSION_DENIED")
    refused(run(world, "describeQuotas", imageId="img-nothere000"), "IMAGE.EXISTS", "NOT_FOUND")
    iid, world = instance(world, status="stopped")
    out = run(world, "createImage", instanceId=iid, name="img")
    world = settle(ok(out))
    quotas(run(world, "describeQuotas", filters=resource_types("imageShare"), imageId=out.result["imageId"]))


@pytest.mark.rule("DESCRIBE_QUOTAS.FILTER_NAME")
def test_unknown_filter(world: World) -> None:
    refused(run(world, "describeQuotas", filters=[{"name": "resourceType", "values": ["image"]}]),
            "DESCRIBE_QUOTAS.FILTER_NAME", "INVALID_ARGUMENT")
    quotas(run(world, "describeQuotas", filters=resource_types("image")))


@pytest.mark.rule("DESCRIBE_QUOTAS.FILTER_OPERATOR")
def test_filter_operator(world: World) -> None:
    refused(run(world, "describeQuotas", filters=[{"name": "resourceTypes", "operator": "ne", "values": ["image"]}]),
            "DESCRIBE_QUOTAS.FILTER_OPERATOR", "INVALID_ARGUMENT")
    quotas(run(world, "describeQuotas", filters=[{"name": "resourceTypes", "operator": "eq", "values": ["image"]}]))


@pytest.mark.rule("DESCRIBE_QUOTAS.FILTER_VALUES")
def test_filter_values(world: World) -> None:
    refused(run(world, "describeQuotas", filters=resource_types()), "DESCRIBE_QUOTAS.FILTER_VALUES",
            "INVALID_ARGUMENT")
    quotas(run(world, "describeQuotas", filters=resource_types("image", "keypair")))


def test_one_instance_counts_itself_and_its_types_cpus_and_whole_gigabytes(world: World) -> None:
    from_catalogue = world.instance_types["g.n2.medium"]
    assert instance_usage(from_catalogue) == (("instance", 1), ("instance_cpu", from_catalogue.cpu),
                                              ("instance_memory", from_catalogue.memory_mb // 1024))
    assert instance_usage(None) == (("instance", 1),)  # a type not (or no longer) in the catalogue
    half = replace(from_catalogue, memory_mb=1536)
    assert dict(instance_usage(half))["instance_memory"] == 1


def test_a_type_of_less_than_a_gigabyte_counts_no_memory_and_leaves_no_zero_counter(world: World) -> None:
    small = replace(world.instance_types["g.n2.medium"], instance_type="g.n2.tiny", memory_mb=512)
    world = world.evolve(instance_types=world.instance_types.set(small.instance_type, small))
    _, world = instance(world, instance_type="g.n2.tiny")
    counted = recount_usage(world)
    assert counted == world.usage
    assert (world.default_account, "cn-north-1", "instance_memory") not in counted
