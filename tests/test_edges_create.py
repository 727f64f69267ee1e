"""Edges of createInstances' data-disk rules that tests/test_create_instances.py leaves open: every rule that
loops over the data disks must look past a first disk it skips or accepts, and reports each bad disk by index."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import NORTH, ok, refused

from vmrules import World, check, execute

IA = "INVALID_ARGUMENT"
D = "instanceSpec.dataDisks"


def spec(*data_disks: dict[str, Any], system: dict[str, Any] | None = None,
         image: str = "img-centos7cld") -> dict[str, Any]:
    return {"regionId": NORTH, "instanceSpec": {
        "name": "web", "az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": image,
        "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
        "systemDisk": system or {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 60}},
        "dataDisks": list(data_disks)}}


def cloud(size: int | None, disk_type: str | None = "ssd", **extra: Any) -> dict[str, Any]:
    cloud_spec: dict[str, Any] = {**extra}
    if disk_type is not None:
        cloud_spec["diskType"] = disk_type
    if size is not None:
        cloud_spec["diskSizeGB"] = size
    return {"diskCategory": "cloud", "cloudDiskSpec": cloud_spec}


def fields(world: World, params: dict[str, Any], rule_id: str) -> list[str | None]:
    return [e.field for e in check(world, "createInstances", params) if e.rule == rule_id]


@pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_SIZE_SSD")
@pytest.mark.parametrize("first", [cloud(100, "premium-hdd"), cloud(20), cloud(1000)])
def test_ssd_size_rule_looks_past_the_first_disk(world: World, first: dict[str, Any]) -> None:
    params = spec(first, cloud(1010), cloud(30), cloud(15))
    refused(execute(world, "createInstances", params), "CREATE_INSTANCES.DATA_DISK_SIZE_SSD", IA)
    assert fields(world, params, "CREATE_INSTANCES.DATA_DISK_SIZE_SSD") == [
        f"{D}.1.cloudDiskSpec.diskSizeGB", f"{D}.3.cloudDiskSpec.diskSizeGB"]


@pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_SIZE_HDD")
@pytest.mark.parametrize("first", [cloud(100), cloud(20, "premium-hdd"), cloud(3000, "premium-hdd")])
def test_hdd_size_rule_looks_past_the_first_disk(world: World, first: dict[str, Any]) -> None:
    params = spec(first, cloud(3010, "premium-hdd"), cloud(25, "premium-hdd"))
    refused(execute(world, "createInstances", params), "CREATE_INSTANCES.DATA_DISK_SIZE_HDD", IA)
    assert fields(world, params, "CREATE_INSTANCES.DATA_DISK_SIZE_HDD") == [
        f"{D}.1.cloudDiskSpec.diskSizeGB", f"{D}.2.cloudDiskSpec.diskSizeGB"]


@pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_SIZE_SSD")
@pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_SIZE_HDD")
def test_every_size_on_the_edges_is_accepted_together(world: World) -> None:
    params = spec(cloud(20), cloud(1000), cloud(20, "premium-hdd"), cloud(3000, "premium-hdd"), cloud(510))
    ok(execute(world, "createInstances", params))


@pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_SPEC_REQUIRED")
def test_spec_required_looks_past_a_non_cloud_and_a_complete_disk(world: World) -> None:
    local = {"diskCategory": "local"}
    params = spec(local, cloud(100), cloud(100, None), cloud(None))
    assert fields(world, params, "CREATE_INSTANCES.DATA_DISK_SPEC_REQUIRED") == [
        f"{D}.2.cloudDiskSpec.diskType", f"{D}.3.cloudDiskSpec.diskSizeGB"]
    from_snapshot = spec(cloud(None, snapshotId="snapshot-ssd0000001"))
    assert fields(world, from_snapshot, "CREATE_INSTANCES.DATA_DISK_SPEC_REQUIRED") == []


@pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_DEVICE_NAME")
def test_device_name_rule_looks_past_a_disk_without_a_name(world: World) -> None:
    params = spec(cloud(100), {**cloud(100), "deviceName": "vdc"}, {**cloud(100), "deviceName": "sdc"},
                  {**cloud(100), "deviceName": "vdc"})
    refused(execute(world, "createInstances", params), "CREATE_INSTANCES.DATA_DISK_DEVICE_NAME", IA)
    assert fields(world, params, "CREATE_INSTANCES.DATA_DISK_DEVICE_NAME") == [
        f"{D}.2.deviceName", f"{D}.3.deviceName"]


@pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_SNAPSHOT_SIZE")
def test_snapshot_size_rule_looks_past_a_disk_without_a_snapshot(world: World) -> None:
    params = spec(cloud(100), cloud(40, snapshotId="snapshot-ssd0000001"),
                  cloud(30, snapshotId="snapshot-ssd0000001"))
    refused(execute(world, "createInstances", params), "CREATE_INSTANCES.DATA_DISK_SNAPSHOT_SIZE", IA)
    assert fields(world, params, "CREATE_INSTANCES.DATA_DISK_SNAPSHOT_SIZE") == [f"{D}.2.cloudDiskSpec.diskSizeGB"]
    ok(execute(world, "createInstances", spec(cloud(100), cloud(40, snapshotId="snapshot-ssd0000001"))))


@pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_COUNT_CLOUD")
@pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_COUNT_LOCAL")
def test_data_disk_counts_at_the_exact_limits(world: World) -> None:
    ok(execute(world, "createInstances", spec(*[cloud(20)] * 7)))
    refused(execute(world, "createInstances", spec(*[cloud(20)] * 8)), "CREATE_INSTANCES.DATA_DISK_COUNT_CLOUD", IA)
    local = {"diskCategory": "local"}
    ok(execute(world, "createInstances", spec(*[cloud(20)] * 8, system=local, image="img-centos7lcl")))
    refused(execute(world, "createInstances", spec(*[cloud(20)] * 9, system=local, image="img-centos7lcl")),
            "CREATE_INSTANCES.DATA_DISK_COUNT_LOCAL", IA)


@pytest.mark.rule("CREATE_INSTANCES.CLOUD_SYSTEM_DISK_AUTO_DELETE")
@pytest.mark.parametrize("system_disk", [None, {"diskCategory": "cloud"}])
def test_a_template_s_default_auto_delete_yields_to_prepaid_billing(world: World,
                                                                   system_disk: dict[str, Any] | None) -> None:
    """The template's system disk says autoDelete true; a prepaid request that does not say it is accepted."""
    instance_spec: dict[str, Any] = {
        "name": "from-lt", "instanceTemplateId": "lt-web00000001", "az": "cn-north-1b",
        "charge": {"chargeMode": "prepaid_by_duration", "chargeUnit": "month", "chargeDuration": 1}}
    if system_disk is not None:
        instance_spec["systemDisk"] = system_disk
    params = {"regionId": NORTH, "instanceSpec": instance_spec}
    assert check(world, "createInstances", params) == []
    ok(execute(world, "createInstances", params))
    instance_spec["systemDisk"] = {"diskCategory": "cloud", "autoDelete": True}
    refused(execute(world, "createInstances", params), "CREATE_INSTANCES.CLOUD_SYSTEM_DISK_AUTO_DELETE", IA)


@pytest.mark.rule("CREATE_INSTANCES.ORDERED_NAME_RANGE")
def test_ordered_range_looks_at_the_hostname_past_a_name_without_a_counter(world: World) -> None:
    params = spec()
    params["maxCount"] = 2
    params["instanceSpec"]["hostname"] = "host[9999]"
    assert fields(world, params, "CREATE_INSTANCES.ORDERED_NAME_RANGE") == ["instanceSpec.hostname"]
    params["instanceSpec"]["hostname"] = "host[9998]"
    assert fields(world, params, "CREATE_INSTANCES.ORDERED_NAME_RANGE") == []
