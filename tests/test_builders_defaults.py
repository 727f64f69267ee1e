"""What the builders choose when a caller leaves something out, and what they take from whom: a disk's name and
charge, an interface's defaults, security groups and zone, the disks' billing beside the instance's, a data
disk's default name, the ids of an instance with a local system disk, and the bulk path's collector pause."""

from __future__ import annotations

import gc
from dataclasses import fields, replace

from vmrules import World
from vmrules.builders import (
    DataDiskPlan,
    ElasticIpPlan,
    add_disk,
    add_instance,
    add_instances,
    add_network_interface,
    reindex_subnets,
)
from vmrules.bulk import collector_paused
from vmrules.consistency import inconsistencies
from vmrules.model import Charge

SUBNET = "subnet-main00001a"  # cn-north-1a, vpc-main000001, whose default group is sg-maindefault
DISK = {"owner": "alice", "region": "cn-north-1", "az": "cn-north-1a", "disk_type": "ssd", "size_gb": 20}


def test_a_disk_is_named_by_its_id_unless_given_a_name() -> None:
    disk_id, world = add_disk(World.default(), **DISK)
    assert world.disks[disk_id].name == disk_id
    named_id, world = add_disk(world, **DISK, name="scratch")
    assert world.disks[named_id].name == "scratch"


def test_a_disk_is_billed_by_configuration_from_now_unless_given_a_charge() -> None:
    world = World.default()
    disk_id, world = add_disk(world, **DISK)
    assert world.disks[disk_id].charge == Charge("postpaid_by_duration", "normal", world.clock)
    prepaid = Charge("prepaid_by_duration", "normal", 5, 10)
    charged_id, world = add_disk(world, **DISK, charge=prepaid)
    assert world.disks[charged_id].charge == prepaid


def test_an_interface_has_the_apis_defaults_and_its_subnets_zone() -> None:
    nic_id, world = add_network_interface(World.default(), owner="alice", subnet_id=SUBNET)
    nic = world.network_interfaces[nic_id]
    assert (nic.sanity_check, nic.device_index, nic.az) == (1, 0, "cn-north-1a")
    assert nic.security_group_ids == ("sg-maindefault",)  # the VPC's default group


def test_an_interface_keeps_the_groups_and_zone_it_is_given() -> None:
    nic_id, world = add_network_interface(World.default(), owner="alice", subnet_id=SUBNET,
                                          security_group_ids=("sg-main000002", "sg-main000003"), az="cn-north-1b")
    nic = world.network_interfaces[nic_id]
    assert nic.security_group_ids == ("sg-main000002", "sg-main000003") and nic.az == "cn-north-1b"


def test_an_instances_interface_is_in_the_instances_zone() -> None:
    iid, world = add_instance(World.default(), az="cn-north-1b", subnet_id=SUBNET)
    instance = world.instances[iid]
    assert world.network_interfaces[instance.primary_nic_id].az == instance.az == "cn-north-1b"


def test_disks_follow_the_instances_billing_from_now() -> None:
    # A cloud system disk alone, and a local system disk with a data disk: either way the disks are billed as
    # the instance is (by usage becomes by configuration), starting at the world's clock, in normal status.
    world = World.default()
    prepaid = Charge("prepaid_by_duration", "overdue", 7, world.clock + 100)
    iid, built = add_instance(world, charge=prepaid)
    system_disk = built.disks[built.instances[iid].system_disk.disk_id or ""]
    assert system_disk.charge == Charge("prepaid_by_duration", "normal", world.clock, world.clock + 100)
    by_usage = Charge("postpaid_by_usage", "normal", 7)
    iid, built = add_instance(world, charge=by_usage, system_disk="local", data_disks=[DataDiskPlan("ssd", 20)])
    (data_disk,) = built.instances[iid].data_disks
    assert built.disks[data_disk.disk_id].charge == Charge("postpaid_by_duration", "normal", world.clock)


def test_a_data_disk_is_named_after_its_instance_unless_given_a_name() -> None:
    iid, world = add_instance(World.default(), name="web", data_disks=[
        DataDiskPlan("ssd", 20), DataDiskPlan("ssd", 30, name="logs")])
    names = [world.disks[d.disk_id].name for d in world.instances[iid].data_disks]
    assert names == ["web-data", "logs"]


def test_an_instance_with_a_local_system_disk_gets_its_own_elastic_ip() -> None:
    iid, world = add_instance(World.default(), system_disk="local", elastic_ip=ElasticIpPlan(8))
    nic = world.network_interfaces[world.instances[iid].primary_nic_id]
    assert nic.elastic_ip_id is not None and nic.elastic_ip_id.startswith("fip-")
    assert world.elastic_ips[nic.elastic_ip_id].bandwidth_mbps == 8
    assert list(inconsistencies(world)) == []


def test_adding_no_instances_shares_every_part_of_the_world() -> None:
    world = World.default()
    _, same = add_instances(world, 0)
    assert [f.name for f in fields(World) if getattr(same, f.name) is not getattr(world, f.name)] == []


def test_reindexing_skips_an_interface_whose_subnet_is_gone_and_goes_on() -> None:
    # Whichever interface comes first is moved to a subnet the world does not hold; the offsets of every other
    # interface past the next host are still derived (the map's order follows the ids' hashes, so the first is
    # chosen at run time, not fixed).
    world = World.default()
    start = world.subnets[SUBNET].next_host
    for offset in (start + 5, start + 6):
        _, world = add_instance(world, private_ip=f"10.0.1.{offset}")
    first = next(iter(world.network_interfaces.values()))
    world = world.evolve(
        network_interfaces=world.network_interfaces.set(first.nic_id, replace(
            first, subnet_id="subnet-gone00001")),
        subnets=world.subnets.set(SUBNET, replace(world.subnets[SUBNET], reserved=())))
    expected = sorted(int(n.private_ip.rsplit(".", 1)[1]) for n in world.network_interfaces.values()
                      if n.subnet_id == SUBNET and int(n.private_ip.rsplit(".", 1)[1]) >= start)
    assert len(expected) >= 5  # the two chosen above and the default world's fixed ones, less at most one
    assert list(reindex_subnets(world).subnets[SUBNET].reserved) == expected


def test_what_the_pause_made_is_in_the_oldest_generation_after_it() -> None:
    # The pause ends by promoting what it made to the oldest generation (so that the first collection after a
    # bulk build does not walk it all): an object made inside is found there right after, not among the young.
    assert gc.get_freeze_count() == 0
    with collector_paused():
        made = [[i] for i in range(2000)]
    oldest = gc.get_objects(generation=2)
    assert any(o is made for o in oldest)
    assert not any(o is made for o in gc.get_objects(generation=0))
