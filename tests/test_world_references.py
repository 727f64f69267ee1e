"""The world's invariants on references (vmrules/consistency.py): an instance's interfaces and disks, the two
sides of an attachment or a binding, an interface's groups, elastic IP and instance. Each broken reference is
reported on the entry that holds it, once, and the entries after it are still checked."""

from __future__ import annotations

from dataclasses import replace

from world_edits import DEFAULT, PRIMARY, SUBNET, found, messages, with_disk, with_instance, with_nic

from vmrules import World
from vmrules.builders import DataDiskPlan, add_elastic_ip, add_instance, add_network_interface, bind_elastic_ip
from vmrules.model import DiskAttachment, InstanceDisk

SECONDARY = ".secondaryNetworkInterfaces"


def _secondary(world: World, owner_iid: str) -> tuple[str, World]:
    """A secondary interface attached to ``owner_iid`` (both sides recorded)."""
    nic_id, world = add_network_interface(world, owner="alice", subnet_id=SUBNET, instance_id=owner_iid,
                                          device_index=2)
    inst = world.instances[owner_iid]
    return nic_id, with_instance(world, owner_iid, secondary_nic_ids=(*inst.secondary_nic_ids, nic_id))


# ---- an instance's interfaces ---------------------------------------------------------------------------


def test_an_instance_listing_its_primary_interface_again_lists_it_twice() -> None:
    iid, world = add_instance(DEFAULT)
    primary = world.instances[iid].primary_nic_id
    assert found(with_instance(world, iid, secondary_nic_ids=(primary,))) == [
        ("instances", iid, SECONDARY), ("instances", iid, f"{SECONDARY}[0]{PRIMARY[len('.primaryNetworkInterface'):]}")]


def test_every_secondary_interface_attached_elsewhere_is_reported() -> None:
    iid, world = add_instance(DEFAULT)
    other, world = add_instance(world)
    third, world = add_instance(world)
    first, world = _secondary(world, other)  # one each: the type takes one secondary interface
    second, world = _secondary(world, third)
    assert found(world) == []
    world = with_instance(world, iid, secondary_nic_ids=(first, second))
    where = PRIMARY[len(".primaryNetworkInterface"):]
    assert [w for w in found(world) if w[1] == iid] == [
        ("instances", iid, f"{SECONDARY}[0]{where}"), ("instances", iid, f"{SECONDARY}[1]{where}"),
        ("instances", iid, SECONDARY)]  # and three interfaces are one more than the type takes


# ---- an instance's disks --------------------------------------------------------------------------------


def _with_disks(count: int) -> tuple[str, World]:
    return add_instance(DEFAULT, data_disks=[DataDiskPlan("ssd", 20)] * count)


def test_every_disk_that_does_not_list_its_instance_is_reported_system_disk_first() -> None:
    iid, world = _with_disks(2)
    inst = world.instances[iid]
    for disk_id in (inst.system_disk.disk_id or "", *(d.disk_id for d in inst.data_disks)):
        world = with_disk(world, disk_id, attachments=())
    assert [w for w in found(world) if w[0] == "instances"] == [
        ("instances", iid, ".systemDisk.cloudDisk.diskId"), ("instances", iid, ".dataDisks[0].cloudDisk.diskId"),
        ("instances", iid, ".dataDisks[1].cloudDisk.diskId")]


def test_an_instance_listing_an_unknown_disk_is_reported() -> None:
    iid, world = _with_disks(1)
    (data,) = world.instances[iid].data_disks
    assert found(with_instance(world, iid, data_disks=(replace(data, disk_id="vol-gone000001"),))) == [
        ("instances", iid, ".dataDisks[0].cloudDisk.diskId"), ("disks", data.disk_id, ".attachments[0].instanceId")]


def test_an_instance_listing_its_system_disk_again_lists_a_disk_twice() -> None:
    iid, world = add_instance(DEFAULT)
    system_disk = world.instances[iid].system_disk.disk_id or ""
    twice = with_instance(world, iid, data_disks=(InstanceDisk(system_disk, "vdb", True),))
    assert found(twice)[0] == ("instances", iid, ".dataDisks")
    assert messages(twice)[0].endswith("lists a disk twice: ['" + system_disk + "', '" + system_disk + "']")


def test_a_data_disk_named_like_the_system_disk_uses_a_device_name_twice() -> None:
    iid, world = _with_disks(1)
    (data,) = world.instances[iid].data_disks
    assert found(with_instance(world, iid, data_disks=(replace(data, device_name="vda"),))) == [
        ("instances", iid, ".dataDisks")]


def test_the_attachment_status_is_compared_with_the_disks_first_record_of_the_instance() -> None:
    # A disk that records the instance twice (attached, then detaching) is reported for that (twice: two
    # holders of a single-attach disk, one of them repeated); the instance's own status is compared with the
    # first record, which agrees.
    iid, world = _with_disks(1)
    (data,) = world.instances[iid].data_disks
    disk = world.disks[data.disk_id]
    twice = with_disk(world, data.disk_id, attachments=(*disk.attachments, DiskAttachment(iid, "detaching")))
    assert found(twice) == [("disks", data.disk_id, ".attachments")] * 2


def test_a_disk_attached_to_an_instance_names_why_the_instance_does_not_list_it() -> None:
    iid, world = _with_disks(1)
    (data,) = world.instances[iid].data_disks
    attachments = world.disks[data.disk_id].attachments
    unlisted = with_instance(world, iid, data_disks=())
    assert messages(unlisted) == [f"instance {iid!r} does not list the disk {data.disk_id}"]
    stray = with_disk(world, "vol-ssd0000002", status="in-use", attachments=(DiskAttachment("i-gone000001",
                                                                                           "attached"),))
    assert messages(stray) == ["disk vol-ssd0000002 is attached to unknown instance 'i-gone000001', which does not "
                               "list the disk"]
    assert attachments  # the first world's disk did list the instance


# ---- elastic IPs ----------------------------------------------------------------------------------------


def test_an_interface_carries_at_most_one_elastic_ip() -> None:
    nic_id, world = add_network_interface(DEFAULT, owner="alice", subnet_id=SUBNET)
    eip_id, world = add_elastic_ip(world, owner="alice", region="cn-north-1")
    world = bind_elastic_ip(world, eip_id, nic_id)
    assert found(world) == []
    second = replace(world.elastic_ips["fip-free00001a"], nic_id=nic_id, private_ip=world.network_interfaces[
        nic_id].private_ip)
    doubled = world.evolve(elastic_ips=world.elastic_ips.set(second.elastic_ip_id, second))
    assert sorted(found(doubled)) == [("elasticIps", eip_id, ".networkInterfaceId"),
                                      ("elasticIps", "fip-free00001a", ".networkInterfaceId"),
                                      ("elasticIps", "fip-free00001a", ".networkInterfaceId")]
    assert "carries 2 elastic IPs" in " ".join(messages(doubled))


def test_every_elastic_ip_bound_to_an_interface_that_does_not_carry_it_is_reported() -> None:
    world = DEFAULT
    for eip_id in ("fip-free00001a", "fip-free00001b"):
        other, world = add_network_interface(world, owner="alice", subnet_id=SUBNET)
        world = world.evolve(elastic_ips=world.elastic_ips.set(eip_id, replace(world.elastic_ips[eip_id],
                                                                               nic_id=other)))
    assert sorted(w for w in found(world) if w[0] == "elasticIps") == [
        ("elasticIps", eip_id, ".networkInterfaceId") for eip_id in ("fip-free00001a", "fip-free00001b")]


# ---- interfaces -----------------------------------------------------------------------------------------


def test_an_interface_with_an_unknown_group_elastic_ip_or_instance_is_reported() -> None:
    nic_id, world = add_network_interface(DEFAULT, owner="alice", subnet_id=SUBNET)
    assert found(with_nic(world, nic_id, security_group_ids=("sg-gone0000001",))) == [
        ("networkInterfaces", nic_id, ".networkSecurityGroupIds[0]")]
    assert found(with_nic(world, nic_id, elastic_ip_id="fip-gone000001")) == [
        ("networkInterfaces", nic_id, ".primaryIp.elasticIpId")]
    assert found(with_nic(world, nic_id, instance_id="i-gone00000001")) == [
        ("networkInterfaces", nic_id, ".instanceId")]
