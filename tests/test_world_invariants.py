"""The world's invariants (vmrules/consistency.py) at their edges: each limit holds at its value and is broken one
past it, each enum takes its members only, and each broken invariant is reported once per entry, under the
entry and member it names, without hiding the entries checked after it.

The snapshot loader refuses a world that breaks any of these, and the property suite checks them after every
step; the examples here are the worlds one step either side of each line, built from the default world."""

from __future__ import annotations

from dataclasses import replace

import pytest
from world_edits import DEFAULT, PRIMARY, SUBNET, found, messages, with_disk, with_instance, with_nic

from vmrules import World
from vmrules.builders import (
    DataDiskPlan,
    add_account,
    add_image,
    add_instance,
    add_instances,
    add_network_interface,
)
from vmrules.model import PLATFORM_OWNER, Charge, DiskAttachment, InstanceDisk

MAIN_GROUPS = ("sg-maindefault", "sg-main000001", "sg-main000002", "sg-main000003", "sg-main000004",
               "sg-main000005")  # every group of vpc-main000001


def test_the_default_world_breaks_nothing() -> None:
    assert found(DEFAULT) == []


# ---- limits ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("system_disk", "limit"), [("local", 8), ("cloud", 7)])
def test_an_instance_holds_data_disks_up_to_its_system_disks_limit(system_disk: str, limit: int) -> None:
    _, world = add_instance(DEFAULT, system_disk=system_disk, data_disks=[DataDiskPlan("ssd", 20)] * limit)
    assert found(world) == []
    iid, world = add_instance(DEFAULT, system_disk=system_disk, data_disks=[DataDiskPlan("ssd", 20)] * (limit + 1))
    assert found(world) == [("instances", iid, ".dataDisks")]


def test_a_primary_interface_has_one_to_five_security_groups() -> None:
    for count in (1, 5):
        _, world = add_instance(DEFAULT, security_group_ids=MAIN_GROUPS[:count])
        assert found(world) == []
    iid, world = add_instance(DEFAULT, security_group_ids=MAIN_GROUPS)
    nic_id = world.instances[iid].primary_nic_id
    assert found(world) == [("instances", iid, PRIMARY), ("networkInterfaces", nic_id, ".networkSecurityGroupIds")]
    iid, world = add_instance(DEFAULT)
    nic_id = world.instances[iid].primary_nic_id
    assert found(with_nic(world, nic_id, security_group_ids=())) == [("instances", iid, PRIMARY)]


def test_an_interface_has_at_most_five_security_groups() -> None:
    _, world = add_network_interface(DEFAULT, owner="alice", subnet_id=SUBNET, security_group_ids=MAIN_GROUPS[:5])
    assert found(world) == []
    nic_id, world = add_network_interface(DEFAULT, owner="alice", subnet_id=SUBNET, security_group_ids=MAIN_GROUPS)
    assert found(world) == [("networkInterfaces", nic_id, ".networkSecurityGroupIds")]


def _private_image(world: World, shared_with: tuple[str, ...]) -> World:
    official = next(i for i in world.images.values() if i.source == "public")
    return add_image(world, replace(official, image_id="img-mine000001", owner="alice", source="private",
                                    shared_with=shared_with))


def test_an_image_is_shared_with_at_most_twenty_accounts() -> None:
    members = tuple(f"member{n:02d}" for n in range(1, 22))  # the default world's accounts member01..member25
    assert found(_private_image(DEFAULT, members[:20])) == []
    assert found(_private_image(DEFAULT, members)) == [("images", "img-mine000001", ".sharedWith")]


def _attached_to(world: World, disk_id: str, instance_ids: list[str]) -> World:
    world = with_disk(world, disk_id, status="in-use", attachments=tuple(
        DiskAttachment(iid, "attached", world.clock) for iid in instance_ids))
    for iid in instance_ids:
        world = with_instance(world, iid, data_disks=(InstanceDisk(disk_id, "vdb", False, "attached"),))
    return world


def test_a_multi_attach_disk_is_attached_to_at_most_sixteen_instances() -> None:
    ids, world = add_instances(DEFAULT, 17)
    assert found(_attached_to(world, "vol-shared00001", ids[:16])) == []
    assert found(_attached_to(world, "vol-shared00001", ids)) == [("disks", "vol-shared00001", ".attachments")]
    assert found(_attached_to(world, "vol-ssd0000001", ids[:1])) == []
    assert found(_attached_to(world, "vol-ssd0000001", ids[:2])) == [("disks", "vol-ssd0000001", ".attachments")]


def test_a_quota_may_be_zero_but_not_negative() -> None:
    assert found(add_account(DEFAULT, "dave", quotas=[("keypair", 3), ("instance", 0)])) == []
    assert found(add_account(DEFAULT, "dave", quotas=[("keypair", 3), ("instance", -1)])) == [
        ("accounts", "dave", ".quotas[1].limit")]


# ---- owners, regions, enums -----------------------------------------------------------------------------


def test_only_a_public_or_third_party_image_belongs_to_the_platform() -> None:
    vpc = DEFAULT.vpcs["vpc-second0001"]  # nothing of the default world is in it but its own subnet and group
    platform_vpc = DEFAULT.evolve(vpcs=DEFAULT.vpcs.set(vpc.vpc_id, replace(vpc, owner=PLATFORM_OWNER)))
    assert ("vpcs", vpc.vpc_id, ".ownerPin") in found(platform_vpc)
    official = next(i for i in DEFAULT.images.values() if i.source == "public")
    stray = DEFAULT.evolve(images=DEFAULT.images.set(official.image_id, replace(official, owner="nobody")))
    assert found(stray) == [("images", official.image_id, ".ownerPin"), ("images", official.image_id, ".ownerPin")]
    assert messages(stray) == ["unknown account 'nobody' (not in accounts)",
                               f"image {official.image_id} is public but owned by nobody (only the platform owns one)"]


def test_every_entry_in_an_unknown_region_is_reported() -> None:
    world = DEFAULT
    gone = ["fip-free00001a", "fip-free00001b", "fip-free00002a"]
    for eip_id in gone:
        world = world.evolve(elastic_ips=world.elastic_ips.set(eip_id, replace(world.elastic_ips[eip_id],
                                                                               region="cn-nowhere")))
    assert sorted(found(world)) == [("elasticIps", eip_id, ".regionId") for eip_id in gone]


@pytest.mark.parametrize(("mode", "status", "members"), [
    ("prepaid_by_duration", "normal", []),
    ("by_the_minute", "normal", [".charge.chargeMode"]),
    ("postpaid_by_usage", "frozen", [".charge.chargeStatus"]),
    ("by_the_minute", "frozen", [".charge.chargeMode", ".charge.chargeStatus"]),
])
def test_a_charge_has_a_known_mode_and_status(mode: str, status: str, members: list[str]) -> None:
    world = with_disk(DEFAULT, "vol-ssd0000001", charge=Charge(mode, status, 0))  # type: ignore[arg-type]
    assert found(world) == [("disks", "vol-ssd0000001", member) for member in members]


@pytest.mark.parametrize(("field", "good", "bad"), [("device_index", (0, 8), (-1, 9)),
                                                     ("sanity_check", (0, 1), (-1, 2))])
def test_an_interfaces_device_index_and_sanity_check_are_in_range(field: str, good: tuple[int, ...],
                                                                  bad: tuple[int, ...]) -> None:
    nic_id, world = add_network_interface(DEFAULT, owner="alice", subnet_id=SUBNET)
    member = ".deviceIndex" if field == "device_index" else ".sanityCheck"
    for value in good:
        assert found(with_nic(world, nic_id, **{field: value})) == []
    for value in bad:
        assert found(with_nic(world, nic_id, **{field: value})) == [("networkInterfaces", nic_id, member)]
