"""Edges of how createInstances merges the request with its launch template (operations/create/plan.py) that
tests/test_create_instances.py leaves open: a request data disk replaces the template's disk of the same
deviceName, one of another name is added, and a noDevice entry drops only its own disk."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from helpers import NORTH, instance, ok, run

from vmrules import World, execute, settle
from vmrules.builders import DataDiskPlan
from vmrules.model import AzStock, InstanceType, TemplateDisk


def from_template(*data_disks: dict[str, Any]) -> dict[str, Any]:
    return {"regionId": NORTH, "instanceSpec": {"name": "from-lt", "instanceTemplateId": "lt-web00000001",
                                                  "az": "cn-north-1a", "dataDisks": list(data_disks)}}


def data_disks(world: World, params: dict[str, Any]) -> list[tuple[str, str, int]]:
    """(deviceName, diskType, size) of the created instance's data disks."""
    out = execute(world, "createInstances", params)
    new = ok(out)
    inst = new.instances[out.result["instanceIds"][0]]
    return sorted((d.device_name, new.disks[d.disk_id].disk_type, new.disks[d.disk_id].size_gb)
                  for d in inst.data_disks)


def ssd(size: int, device: str | None = None) -> dict[str, Any]:
    disk: dict[str, Any] = {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": size}}
    if device is not None:
        disk["deviceName"] = device
    return disk


def test_the_template_s_data_disk_comes_with_it(world: World) -> None:
    assert data_disks(world, from_template()) == [("vdb", "premium-hdd", 100)]


def test_a_request_disk_of_the_template_disk_s_name_replaces_it(world: World) -> None:
    assert data_disks(world, from_template(ssd(200, "vdb"))) == [("vdb", "ssd", 200)]


def test_a_request_disk_of_another_name_is_added(world: World) -> None:
    assert data_disks(world, from_template(ssd(200, "vdc"))) == [("vdb", "premium-hdd", 100), ("vdc", "ssd", 200)]


def test_no_device_drops_the_template_disk_and_the_next_entries_still_count(world: World) -> None:
    dropped = {"deviceName": "vdb", "noDevice": True}
    assert data_disks(world, from_template(dropped)) == []
    assert data_disks(world, from_template(dropped, ssd(200), ssd(300, "vdd"))) == [
        ("vdb", "ssd", 200), ("vdd", "ssd", 300)]


def with_two_disk_image(world: World) -> tuple[str, World]:
    """A ready private image with data disks vdb (ssd, 50 GB) and vdc (ssd, 60 GB)."""
    iid, world = instance(world, status="stopped", data_disks=[DataDiskPlan("ssd", 50), DataDiskPlan("ssd", 60)])
    out = run(world, "createImage", instanceId=iid, name="two-disks")
    return out.result["imageId"], settle(ok(out))


def test_a_request_disk_replaces_only_the_image_disk_of_its_name(world: World) -> None:
    image_id, world = with_two_disk_image(world)
    params: dict[str, Any] = {"regionId": NORTH, "instanceSpec": {
        "name": "web", "az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": image_id,
        "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
        "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}},
        "dataDisks": [ssd(300, "vdb")]}}
    assert data_disks(world, params) == [("vdb", "ssd", 300), ("vdc", "ssd", 60)]
    params["instanceSpec"]["dataDisks"] = [ssd(300, "vdc"), ssd(200, "vde")]
    assert data_disks(world, params) == [("vdb", "ssd", 50), ("vdc", "ssd", 300), ("vde", "ssd", 200)]
    params["instanceSpec"]["dataDisks"] = [ssd(200), {"deviceName": "vdb", "noDevice": True}]
    assert data_disks(world, params) == [("vdb", "ssd", 200), ("vdc", "ssd", 60)]  # the freed name is reused


def test_a_template_disk_replaces_the_image_disk_of_its_name(world: World) -> None:
    image_id, world = with_two_disk_image(world)
    template = world.templates["lt-web00000001"]
    world = world.evolve(templates=world.templates.set(template.template_id, replace(template, image_id=image_id)))
    assert data_disks(world, from_template()) == [("vdb", "premium-hdd", 100), ("vdc", "ssd", 60)]


def with_template_system_disk(world: World, system_disk: TemplateDisk, image_id: str) -> World:
    template = world.templates["lt-web00000001"]
    return world.evolve(templates=world.templates.set(
        template.template_id, replace(template, system_disk=system_disk, image_id=image_id)))


def test_a_template_s_cloud_system_disk_gives_its_type_size_and_auto_delete(world: World) -> None:
    world = with_template_system_disk(world, TemplateDisk("cloud", "premium-hdd", 60, False), "img-centos7cld")
    out = execute(world, "createInstances", from_template())
    new = ok(out)
    inst = new.instances[out.result["instanceIds"][0]]
    assert inst.system_disk.disk_id is not None and inst.system_disk.auto_delete is False
    disk = new.disks[inst.system_disk.disk_id]
    assert (disk.disk_type, disk.size_gb) == ("premium-hdd", 60)


def test_a_template_s_local_system_disk_takes_none_of_its_cloud_values(world: World) -> None:
    world = with_template_system_disk(world, TemplateDisk("local", "ssd", 40, True), "img-centos7lcl")
    out = execute(world, "createInstances", from_template())
    new = ok(out)
    inst = new.instances[out.result["instanceIds"][0]]
    assert (inst.system_disk.category, inst.system_disk.local_size_gb) == ("local", 40)


@pytest.mark.rule("CREATE_INSTANCES.TYPE_SOLD_OUT")
def test_an_availability_group_spreads_over_the_zones_its_type_is_in_stock_in(world: World) -> None:
    # g.n2.4xlarge is sold out in cn-north-1a, one of the group's three zones.
    template = world.templates["lt-web00000001"]
    world = world.evolve(templates=world.templates.set(
        template.template_id, replace(template, instance_type="g.n2.4xlarge")))
    params = {"regionId": NORTH, "maxCount": 4, "instanceSpec": {"name": "ag-web", "agId": "ag-web00000001"}}
    out = execute(world, "createInstances", params)
    new = ok(out)
    assert [new.instances[i].az for i in out.result["instanceIds"]] == [
        "cn-north-1b", "cn-north-1c", "cn-north-1b", "cn-north-1c"]


@pytest.mark.rule("CREATE_INSTANCES.QUOTA_MEMORY")
def test_a_type_under_1_gb_uses_no_memory_quota(world: World) -> None:
    tiny = InstanceType("g.n2.tiny", "g.n2", 2, 1, 512, 1, state=(AzStock("cn-north-1a", True),))
    world = world.evolve(instance_types=world.instance_types.set(tiny.instance_type, tiny))
    params = {"regionId": NORTH, "maxCount": 3, "instanceSpec": {
        "name": "tiny", "az": "cn-north-1a", "instanceType": "g.n2.tiny", "imageId": "img-centos7cld",
        "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
        "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}}}}
    out = execute(world, "createInstances", params)
    new = ok(out)
    assert len(out.result["instanceIds"]) == 3
    assert new.used("alice", NORTH, "instance_memory") == world.used("alice", NORTH, "instance_memory")


def _reserving(world: World, next_host: int, reserved: list[int]) -> World:
    """The world read back from its snapshot with 10.0.2.0/24's nextHost and reservedHosts set."""
    document = world.to_dict()
    for subnet in document["subnets"]:
        if subnet["subnetId"] == "subnet-main00001b":
            subnet["nextHost"], subnet["reservedHosts"] = next_host, reserved
    return World.from_dict(document)


def _many_on_the_b_subnet() -> dict[str, Any]:
    return {"regionId": NORTH, "maxCount": 10, "instanceSpec": {
        "name": "web", "az": "cn-north-1b", "instanceType": "g.n2.medium", "imageId": "img-centos7cld",
        "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001b"}},
        "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}}}}


@pytest.mark.rule("CREATE_INSTANCES.SUBNET_ADDRESSES")
@pytest.mark.parametrize("reserved", [[253, 254], [253, 254, 255], [253, 254, 300]])
def test_reserved_offsets_past_the_last_host_take_no_free_address(world: World, reserved: list[int]) -> None:
    # 10.0.2.0/24 hands out offsets up to 254: from 250, with 253 and 254 reserved, three are free whatever
    # else a snapshot reserves past the last host (the broadcast address 255, or beyond the subnet).
    out = execute(_reserving(world, 250, reserved), "createInstances", _many_on_the_b_subnet())
    new = ok(out)
    assert [new.network_interfaces[new.instances[i].primary_nic_id].private_ip
            for i in out.result["instanceIds"]] == ["10.0.2.250", "10.0.2.251", "10.0.2.252"]


@pytest.mark.rule("CREATE_INSTANCES.SUBNET_ADDRESSES")
def test_a_subnet_whose_last_hosts_are_reserved_next_to_the_broadcast_one_is_full(world: World) -> None:
    full = _reserving(world, 250, [250, 251, 252, 253, 254, 255])
    out = execute(full, "createInstances", _many_on_the_b_subnet())
    assert out.error is not None and out.error.rule == "CREATE_INSTANCES.SUBNET_ADDRESSES"
    one_left = _reserving(world, 250, [250, 251, 252, 253, 255])
    assert len(execute(one_left, "createInstances", _many_on_the_b_subnet()).result["instanceIds"]) == 1
