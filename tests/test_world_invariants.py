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


# ---- device indexes of an instance's interfaces (fact sheet 2.3: 0 not attached, 1 primary, 2-8 secondary) -----


def _with_secondaries(indexes: tuple[int, ...]) -> tuple[str, list[str], World]:
    """An instance whose secondary interfaces (new ones, listed in this order) are at ``indexes``."""
    iid, world = add_instance(DEFAULT, instance_type="g.n2.4xlarge", az="cn-north-1b",
                              subnet_id="subnet-main00001b")
    nic_ids = []
    for index in indexes:
        nic_id, world = add_network_interface(world, owner="alice", subnet_id=SUBNET, instance_id=iid,
                                              device_index=index)
        nic_ids.append(nic_id)
    return iid, nic_ids, with_instance(world, iid, secondary_nic_ids=tuple(nic_ids))


def test_a_primary_interface_is_at_device_index_1() -> None:
    iid, world = add_instance(DEFAULT)
    primary = world.instances[iid].primary_nic_id
    assert world.network_interfaces[primary].device_index == 1 and found(world) == []
    for index in (0, 2, 8):
        assert found(with_nic(world, primary, device_index=index)) == [("networkInterfaces", primary, ".deviceIndex")]
    assert messages(with_nic(world, primary, device_index=0)) == [
        f"interface {primary} is the primary interface of {iid} at deviceIndex 0; a primary interface is at 1"]
    # one outside 0..8 is reported once, as out of range
    assert messages(with_nic(world, primary, device_index=9)) == [
        f"interface {primary} has deviceIndex 9, outside 0..8"]


@pytest.mark.parametrize("indexes", [(2,), (8,), (2, 3), (8, 2, 5), (2, 3, 4, 5, 6, 7, 8)])
def test_attached_secondary_interfaces_are_at_indexes_of_their_own_from_2_to_8(indexes: tuple[int, ...]) -> None:
    _, _, world = _with_secondaries(indexes)
    assert found(world) == []


@pytest.mark.parametrize(("index", "meaning"), [(0, "which means not attached"), (1, "the primary interface's")])
def test_an_attached_secondary_interface_is_not_at_0_or_1(index: int, meaning: str) -> None:
    iid, (nic_id,), world = _with_secondaries((index,))
    assert found(world) == [("networkInterfaces", nic_id, ".deviceIndex")]
    assert messages(world) == [f"interface {nic_id} is a secondary interface of {iid} at deviceIndex {index}, "
                               f"{meaning}; an attached secondary interface is at 2 to 8"]


def test_an_attached_secondary_interface_out_of_range_is_reported_once() -> None:
    _, (nic_id,), world = _with_secondaries((9,))
    assert found(world) == [("networkInterfaces", nic_id, ".deviceIndex")]


@pytest.mark.parametrize("indexes", [(2, 2), (3, 5, 3), (8, 8)])
def test_two_secondary_interfaces_of_an_instance_do_not_share_a_device_index(indexes: tuple[int, ...]) -> None:
    iid, nic_ids, world = _with_secondaries(indexes)
    later = nic_ids[-1]
    first = nic_ids[indexes.index(indexes[-1])]
    assert found(world) == [("networkInterfaces", later, ".deviceIndex")]
    assert messages(world) == [f"interface {later} is at deviceIndex {indexes[-1]} of {iid}, as is interface "
                               f"{first}; each secondary interface has its own"]


def test_secondary_interfaces_of_two_instances_may_share_a_device_index() -> None:
    _, _, world = _with_secondaries((2,))
    iid, world = add_instance(world, name="other")
    nic_id, world = add_network_interface(world, owner="alice", subnet_id=SUBNET, instance_id=iid, device_index=2)
    assert found(with_instance(world, iid, secondary_nic_ids=(nic_id,))) == []


# ---- autoDelete on an instance's data disks: only where deleteInstance deletes the disk ----------------------


def _one_data_disk(charge: Charge | None = None, *, auto_delete: bool = True) -> tuple[str, str, World]:
    iid, world = add_instance(DEFAULT, data_disks=[DataDiskPlan("ssd", 20)])
    (dd,) = world.instances[iid].data_disks
    world = with_instance(world, iid, data_disks=(replace(dd, auto_delete=auto_delete),))
    if charge is not None:
        world = with_disk(world, dd.disk_id, charge=charge)
    return iid, dd.disk_id, world


def test_a_data_disk_billed_by_configuration_may_be_marked_auto_delete() -> None:
    _, disk_id, world = _one_data_disk()
    assert world.disks[disk_id].charge.mode == "postpaid_by_duration" and found(world) == []


@pytest.mark.parametrize("charge", [Charge("postpaid_by_usage", "normal", 0),
                                    Charge("prepaid_by_duration", "normal", 0, 10 ** 10)],
                         ids=["by usage", "prepaid"])
def test_a_data_disk_not_billed_by_configuration_is_not_marked_auto_delete(charge: Charge) -> None:
    iid, disk_id, world = _one_data_disk(charge)
    assert found(world) == [("instances", iid, ".dataDisks[0].autoDelete")]
    assert messages(world)[0].startswith(f"instance {iid} marks data disk {disk_id} autoDelete true, but it cannot "
                                         "be deleted with its instance: it is ")
    _, _, kept = _one_data_disk(charge, auto_delete=False)
    assert found(kept) == []


def test_a_multi_attach_data_disk_is_not_marked_auto_delete() -> None:
    iid, disk_id, world = _one_data_disk()
    assert found(with_disk(world, disk_id, multi_attachable=True)) == [("instances", iid, ".dataDisks[0].autoDelete")]
    _, disk_id, kept = _one_data_disk(auto_delete=False)
    assert found(with_disk(kept, disk_id, multi_attachable=True)) == []


def test_a_disk_with_an_unknown_charge_mode_is_reported_on_the_disk_alone() -> None:
    _, disk_id, world = _one_data_disk(Charge("by_the_minute", "normal", 0))  # type: ignore[arg-type]
    assert found(world) == [("disks", disk_id, ".charge.chargeMode")]


@pytest.mark.parametrize(("charge", "multi_attachable", "auto_delete"), [
    (None, False, True),
    (Charge("postpaid_by_duration"), False, True),
    (Charge("prepaid_by_duration", "normal", 0, 10 ** 10), False, False),
    (None, True, False),
])
def test_built_data_disks_are_marked_auto_delete_only_where_it_takes_effect(
        charge: Charge | None, multi_attachable: bool, auto_delete: bool) -> None:
    iid, world = add_instance(DEFAULT, charge=charge,
                              data_disks=[DataDiskPlan("ssd", 20, multi_attachable=multi_attachable),
                                          DataDiskPlan("ssd", 20, auto_delete=False)])
    assert [d.auto_delete for d in world.instances[iid].data_disks] == [auto_delete, False]
    assert found(world) == []


# ---- autoDelete on a cloud system disk: the same condition (createInstances stores false when prepaid) -------


@pytest.mark.parametrize(("charge", "auto_delete"), [
    (None, True),
    (Charge("postpaid_by_duration"), True),
    (Charge("prepaid_by_duration", "normal", 0, 10 ** 10), False),
])
def test_a_built_cloud_system_disk_is_marked_auto_delete_only_where_it_takes_effect(
        charge: Charge | None, auto_delete: bool) -> None:
    iid, world = add_instance(DEFAULT, system_disk="cloud", charge=charge)
    assert world.instances[iid].system_disk.auto_delete is auto_delete
    assert found(world) == []


def test_a_cloud_system_disk_that_cannot_go_with_its_instance_is_not_marked_auto_delete() -> None:
    iid, world = add_instance(DEFAULT, system_disk="cloud")
    system = world.instances[iid].system_disk
    assert system.disk_id is not None and system.auto_delete
    prepaid = with_disk(world, system.disk_id, charge=Charge("prepaid_by_duration", "normal", 0, 10 ** 10))
    assert found(prepaid) == [("instances", iid, ".systemDisk.autoDelete")]
    assert messages(prepaid)[0].startswith(f"instance {iid} marks its system disk {system.disk_id} autoDelete true")
    kept = with_instance(prepaid, iid, system_disk=replace(system, auto_delete=False))
    assert found(kept) == []
    usage = with_disk(world, system.disk_id, charge=Charge("postpaid_by_usage"))
    assert found(usage) == [("instances", iid, ".systemDisk.autoDelete")]
