"""Edges of createInstances' disk rules (operations/create/rules_disks.py) that tests/test_create_instances.py
and tests/test_edges_create.py leave open: every rule that loops over the data disks looks past a first disk it
skips, and reports each bad disk by index."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import NORTH, ok, refused

from vmrules import World, check, execute, settle

IA = "INVALID_ARGUMENT"
D = "instanceSpec.dataDisks"
PREPAID = {"chargeMode": "prepaid_by_duration", "chargeUnit": "month", "chargeDuration": 1}


def spec(*data_disks: dict[str, Any], **instance_spec: Any) -> dict[str, Any]:
    return {"regionId": NORTH, "instanceSpec": {
        "name": "web", "az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": "img-centos7cld",
        "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
        "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 60}},
        "dataDisks": list(data_disks), **instance_spec}}


def cloud(size: int = 100, **extra: Any) -> dict[str, Any]:
    return {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": size}, **extra}


def fields(world: World, params: dict[str, Any], rule_id: str) -> list[str | None]:
    return [e.field for e in check(world, "createInstances", params) if e.rule == rule_id]


@pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_AUTO_DELETE")
def test_auto_delete_rule_looks_past_a_disk_without_auto_delete(world: World) -> None:
    params = spec(cloud(), cloud(autoDelete=False), cloud(autoDelete=True), charge=PREPAID)
    refused(execute(world, "createInstances", params), "CREATE_INSTANCES.DATA_DISK_AUTO_DELETE", IA)
    assert fields(world, params, "CREATE_INSTANCES.DATA_DISK_AUTO_DELETE") == [f"{D}.2.autoDelete"]
    ok(execute(world, "createInstances", spec(cloud(), cloud(autoDelete=False), charge=PREPAID)))


@pytest.mark.rule("CREATE_INSTANCES.LOCAL_SYSTEM_DISK_SIZE")
def test_a_local_system_disk_s_size_message_names_its_40_gb(world: World) -> None:
    local = {"diskCategory": "local", "cloudDiskSpec": {"diskSizeGB": 40}}
    out = execute(world, "createInstances", spec(systemDisk=local, imageId="img-centos7lcl"))
    refused(out, "CREATE_INSTANCES.LOCAL_SYSTEM_DISK_SIZE", IA)
    assert out.error is not None and "is always 40 GB" in out.error.message
    new = ok(execute(world, "createInstances", spec(systemDisk={"diskCategory": "local"}, imageId="img-centos7lcl")))
    assert [i.system_disk.local_size_gb for i in new.instances.values() if i.system_disk.category == "local"] == [40]


@pytest.mark.rule("CREATE_INSTANCES.CLOUD_SYSTEM_DISK_SIZE")
@pytest.mark.parametrize(("size", "accepted"), [(39, False), (40, True), (500, True), (501, False)])
def test_a_cloud_system_disk_takes_40_to_500_gb(world: World, size: int, accepted: bool) -> None:
    system = {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": size}}
    out = execute(world, "createInstances", spec(systemDisk=system))
    if accepted:
        ok(out)
    else:
        refused(out, "CREATE_INSTANCES.CLOUD_SYSTEM_DISK_SIZE", IA)
        assert out.error is not None and "takes 40 to 500 GB" in out.error.message


@pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_SIZE_SSD")
@pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_SIZE_HDD")
@pytest.mark.parametrize(("disk_type", "size", "high"), [
    ("ssd", 10, 1000), ("ssd", 1010, 1000), ("premium-hdd", 10, 3000), ("premium-hdd", 3010, 3000),
])
def test_a_data_disk_size_refusal_names_the_type_s_range(world: World, disk_type: str, size: int,
                                                          high: int) -> None:
    disk = {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": disk_type, "diskSizeGB": size}}
    out = execute(world, "createInstances", spec(disk))
    assert out.error is not None
    assert f"is {size}; a {disk_type} data disk takes 20 to {high} GB in steps of 10" in out.error.message


@pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_CATEGORY")
@pytest.mark.parametrize(("category", "accepted"), [(None, True), ("cloud", True), ("", False), ("Cloud", False),
                                                    ("local", False)])
def test_an_empty_data_disk_category_is_given_and_is_not_cloud(world: World, category: str | None,
                                                                accepted: bool) -> None:
    # "" is a value the request gives, not an absent one: only an absent category means cloud
    disk = cloud() if category is None else {**cloud(), "diskCategory": category}
    out = execute(world, "createInstances", spec(disk))
    if accepted:
        ok(out)
    else:
        refused(out, "CREATE_INSTANCES.DATA_DISK_CATEGORY", IA)
        assert out.error is not None and out.error.field == f"{D}.0.diskCategory"


@pytest.mark.rule("RESIZE_INSTANCE.ENCRYPTED_DISK_GENERATION_1")
@pytest.mark.parametrize("encrypt", [True, False, None])
def test_a_data_disk_created_encrypted_is_encrypted_and_keeps_the_instance_off_generation_1(
        world: World, encrypt: bool | None) -> None:
    disk = cloud(100) if encrypt is None else {**cloud(100), "cloudDiskSpec": {
        "diskType": "ssd", "diskSizeGB": 100, "encrypt": encrypt}}
    created = execute(world, "createInstances", spec(disk))
    world = settle(ok(created))
    iid = created.result["instanceIds"][0]
    [attached] = world.instances[iid].data_disks
    assert world.disks[attached.disk_id].encrypted is (encrypt is True)
    world = settle(ok(execute(world, "stopInstance", {"regionId": NORTH, "instanceId": iid})))
    resized = execute(world, "resizeInstance", {"regionId": NORTH, "instanceId": iid, "instanceType": "g.n1.medium"})
    if encrypt:
        refused(resized, "RESIZE_INSTANCE.ENCRYPTED_DISK_GENERATION_1", "FAILED_PRECONDITION")
    else:
        assert resized.ok, resized.error
