"""The bulk builder ``add_instances``: the same world as ``add_instance`` called once per instance, indexes
included, for every shape of instance (cloud or local disks, data disks, elastic IPs, tasks, chosen groups);
and the collector pause of the bulk paths (vmrules.bulk), which leaves the collector as it found it."""

from __future__ import annotations

import gc
from dataclasses import fields, replace

import pytest

from vmrules import World
from vmrules.builders import DataDiskPlan, ElasticIpPlan, InstanceOptions, add_instance, add_instances
from vmrules.bulk import collector_paused
from vmrules.defaults import MAIN, NORTH
from vmrules.indexes import build_instance_order, build_instances_by, build_subnet_addresses
from vmrules.model import Subnet
from vmrules.snapshot import SnapshotError
from vmrules.testing.invariants import check_invariants
from vmrules.usage import recount_usage

SHAPES: list[InstanceOptions] = [
    {},
    {"name": "bulk", "system_disk": "local"},
    {"data_disks": [DataDiskPlan("ssd", 20), DataDiskPlan("premium-hdd", 100, auto_delete=False)],
     "elastic_ip": ElasticIpPlan(5), "task": "createInstances", "status": "pending"},
    {"security_group_ids": ("sg-maindefault", "sg-main000001"), "key_names": ("k1",), "az": "cn-north-1a"},
]


def _one_by_one(world: World, count: int, options: InstanceOptions) -> tuple[list[str], World]:
    ids = []
    for _ in range(count):
        instance_id, world = add_instance(world, **options)
        ids.append(instance_id)
    return ids, world


@pytest.mark.parametrize("options", SHAPES, ids=["defaults", "local", "disks-eip-task", "groups"])
def test_add_instances_equals_add_instance_repeated(options: InstanceOptions) -> None:
    world = World.default()
    expected_ids, expected = _one_by_one(world, 12, options)
    ids, built = add_instances(world, 12, **options)
    assert ids == expected_ids
    assert built == expected  # every map, the usage counters and the derived indexes


def test_add_instances_extends_indexes_of_a_world_with_instances() -> None:
    # A key that gains many entries is rebuilt, one that gains few takes them one by one: both equal a rebuild.
    world = World.default()
    _, world = add_instances(world, 40)
    for count in (2, 60):
        _, grown = add_instances(world, count, name="more")
        assert grown.instance_order == build_instance_order(grown.instances.values())
        assert grown.instances_by == build_instances_by(grown.instances.values())
        assert grown.subnet_addresses == build_subnet_addresses(grown.network_interfaces.values())
        assert grown.usage == recount_usage(grown)
        assert grown.owned_instance_count(MAIN, NORTH) == world.owned_instance_count(MAIN, NORTH) + count


def test_add_instances_of_none_is_the_same_world() -> None:
    world = World.default()
    ids, same = add_instances(world, 0)
    assert ids == [] and same == world


def test_add_instances_skips_reserved_addresses_like_add_instance() -> None:
    world = World.default()
    subnet = world.subnets["subnet-main00001a"]
    world = world.evolve(subnets=world.subnets.set(subnet.subnet_id, replace(
        subnet, reserved=(subnet.next_host + 1, subnet.next_host + 3))))
    assert add_instances(world, 5)[1] == _one_by_one(world, 5, {})[1]


def test_subnet_fields_are_the_ones_the_allocator_copies() -> None:
    # builders._allocate_ip rebuilds a Subnet positionally (faster than dataclasses.replace): a new field of
    # Subnet must be added there too, which this test makes impossible to miss.
    assert [f.name for f in fields(Subnet)] == [
        "subnet_id", "owner", "region", "vpc_id", "az", "name", "cidr", "next_host", "reserved"]


@pytest.mark.parametrize("enabled", [True, False])
def test_bulk_paths_leave_the_collector_as_they_found_it(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        add_instances(World.default(), 3)
        assert gc.isenabled() is enabled
        World.from_json(World.default().to_json())
        assert gc.isenabled() is enabled
        with pytest.raises(SnapshotError):
            World.from_json("[]")
        assert gc.isenabled() is enabled
        with collector_paused():
            assert not gc.isenabled()
            with collector_paused():
                assert not gc.isenabled()
            assert not gc.isenabled()  # the inner pause found it paused and left it so
        assert gc.isenabled() is enabled
        with pytest.raises(RuntimeError), collector_paused():
            raise RuntimeError("a failing bulk build")
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_an_instance_can_be_given_its_id_and_the_id_must_be_free() -> None:
    iid, world = add_instance(World.default(), owner="alice", instance_id="i-zchosen001")
    assert iid == "i-zchosen001" and world.instances[iid].owner == "alice"
    assert world.network_interfaces[world.instances[iid].primary_nic_id].instance_id == iid
    assert check_invariants(world) == []
    with pytest.raises(ValueError, match="already in use"):
        add_instance(world, instance_id=iid)
