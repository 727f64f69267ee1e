"""The bulk builder ``add_instances``: the same world as ``add_instance`` called once per instance, indexes
included, for every shape of instance (cloud or local disks, data disks, elastic IPs, tasks, chosen groups);
the collector pause of the bulk paths (vmrules.bulk), which leaves the collector as it found it; and the
fast paths under them: derived ids against their definition, positional constructors against the dataclasses."""

from __future__ import annotations

import gc
import hashlib
from dataclasses import FrozenInstanceError, fields, replace

import pytest
from immutables import Map

from vmrules import World, state
from vmrules.builders import (
    DataDiskPlan,
    ElasticIpPlan,
    InstanceOptions,
    _dotted,
    _dotted_run,
    add_instance,
    add_instances,
)
from vmrules.bulk import collector_paused, positional_constructor
from vmrules.defaults import MAIN, NORTH
from vmrules.ids import derive_id, derive_mac
from vmrules.indexes import (
    INDEXED_FILTERS,
    ByKey,
    InstanceOrder,
    build_instance_indexes,
    build_instance_order,
    build_instances_by,
    build_subnet_addresses,
)
from vmrules.model import Charge, Disk, Instance, NetworkInterface, Subnet
from vmrules.snapshot import SnapshotError
from vmrules.state import Batch
from vmrules.testing.invariants import check_invariants
from vmrules.usage import recount_usage

SHAPES: list[InstanceOptions] = [
    {},
    {"name": "bulk", "system_disk": "local"},
    {"data_disks": [DataDiskPlan("ssd", 20), DataDiskPlan("premium-hdd", 100, auto_delete=False)],
     "elastic_ip": ElasticIpPlan(5), "task": "createInstances", "status": "pending"},
    {"security_group_ids": ("sg-maindefault", "sg-main000001"), "key_names": ("k1",), "az": "cn-north-1a"},
    {"private_ip": "10.0.1.77", "system_disk": "local", "data_disks": [DataDiskPlan("ssd", 20, device_name="vdd"),
                                                                       DataDiskPlan("ssd", 30, name="logs")]},
    {"owner": "alice", "charge": Charge("prepaid_by_duration", "normal", 5, 10**6), "launch_time": 7,
     "hostname": "h", "description": "d", "password_digest": "ab" * 32, "nic_name": "n", "sanity_check": 0,
     "elastic_ip": ElasticIpPlan(8, "bgp", Charge("postpaid_by_usage", "normal", 3)), "system_disk_size_gb": 60,
     "system_disk_type": "premium-hdd", "system_disk_auto_delete": False},
]


def _one_by_one(world: World, count: int, options: InstanceOptions) -> tuple[list[str], World]:
    ids = []
    for _ in range(count):
        instance_id, world = add_instance(world, **options)
        ids.append(instance_id)
    return ids, world


SHAPE_NAMES = ["defaults", "local", "disks-eip-task", "groups", "address-local-data", "everything-given"]


@pytest.mark.parametrize("options", SHAPES, ids=SHAPE_NAMES)
def test_add_instances_equals_add_instance_repeated(options: InstanceOptions) -> None:
    world = World.default()
    count = 1 if "private_ip" in options else 12  # an explicit address is one interface's
    expected_ids, expected = _one_by_one(world, count, options)
    ids, built = add_instances(world, count, **options)
    assert ids == expected_ids
    assert built == expected  # every map, the usage counters and the derived indexes


def test_add_instances_skips_ids_the_world_holds_like_add_instance() -> None:
    # Six ids per instance (instance, interface, system disk, two data disks, elastic IP). The world holds the
    # id the 5th instance's system disk would get, and the one the 9th instance would get once the first is
    # skipped: the bulk builder's block of ids (Batch.new_ids) gives way to one id at a time, and both builders
    # skip the two.
    options = SHAPES[2]
    world = World.default()
    held = {derive_id("vol-", world.sequence + 4 * 6 + 3), derive_id("i-", world.sequence + 8 * 6 + 1 + 1)}
    for rid in held:
        image = replace(world.images["img-centos7cld"], image_id=rid, owner=MAIN, source="private")
        world = world.evolve(images=world.images.set(rid, image))
    expected_ids, expected = _one_by_one(world, 12, options)
    ids, built = add_instances(world, 12, **options)
    assert ids == expected_ids and built == expected
    assert built.sequence == world.sequence + 12 * 6 + 2  # both were met and skipped


@pytest.mark.parametrize("count", [1, 7, 8, 30])  # 2, 14, 16 and 60 ids: one by one, then as a block
def test_a_block_of_ids_is_what_new_id_gives_one_by_one(count: int) -> None:
    by_block, one_by_one = Batch(World.default()), Batch(World.default())
    ids, sequences = by_block.new_ids(("i-", "port-"), count)
    expected = [(one_by_one.new_id(prefix), one_by_one.sequence) for _ in range(count) for prefix in ("i-", "port-")]
    assert list(zip(ids, sequences, strict=True)) == expected
    assert by_block.sequence == one_by_one.sequence == World.default().sequence + 2 * count


def test_a_block_of_ids_made_one_at_a_time_when_derived_ids_collide(monkeypatch: pytest.MonkeyPatch) -> None:
    # A derivation that repeats itself (each id twice in a row): inside a block two ids are then the same, which
    # one new_id call after another never hands out.
    monkeypatch.setattr(state, "derive_id", lambda prefix, seq: f"{prefix}{seq // 2}")
    by_block, one_by_one = Batch(World.default()), Batch(World.default())
    prefixes = ("i-", "vol-", "vol-")
    ids, sequences = by_block.new_ids(prefixes, 8)  # 24 ids: enough to be made as a block
    expected = [(one_by_one.new_id(prefix), one_by_one.sequence) for _ in range(8) for prefix in prefixes]
    assert list(zip(ids, sequences, strict=True)) == expected
    assert len(set(ids)) == 24 and by_block.sequence == one_by_one.sequence > World.default().sequence + 24


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


def _reference_id(prefix: str, seq: int) -> str:
    # derive_id's definition, spelled out digit by digit: ids in snapshots and tests depend on it.
    n = int.from_bytes(hashlib.sha256(f"{prefix}{seq}".encode()).digest()[:8], "big")
    digits = ""
    for _ in range(10):
        n, r = divmod(n, 36)
        digits += "0123456789abcdefghijklmnopqrstuvwxyz"[r]
    return prefix + digits


@pytest.mark.parametrize("prefix", ["i-", "port-", "vol-", "fip-", "snapshot-", ""])
def test_derived_ids_and_macs_are_their_definitions(prefix: str) -> None:
    for seq in [*range(0, 3000), 10**9, 2**63]:
        assert derive_id(prefix, seq) == _reference_id(prefix, seq)
    for seq in range(0, 3000):
        digest = hashlib.sha256(f"mac{seq}".encode()).digest()
        assert derive_mac(seq) == "fa:16:3e:" + ":".join(f"{b:02x}" for b in digest[:3])
    assert derive_id("i-", 1) == "i-6jw6fxin67"  # a fixed point that would move with any change of the digits


@pytest.mark.parametrize("cls", [Instance, NetworkInterface, Disk])
def test_positional_constructors_make_what_the_dataclasses_make(cls: type) -> None:
    # Every field a distinct value, so that a field written into another's slot shows.
    values = [f"value-{f.name}" for f in fields(cls)]
    made = positional_constructor(cls)(*values)
    assert made == cls(*values) and type(made) is cls
    assert [getattr(made, f.name) for f in fields(cls)] == values
    with pytest.raises(FrozenInstanceError):
        made.owner = "someone else"


def test_a_run_of_addresses_is_dotted_like_each_address() -> None:
    for first in (0, 5, 255, 256, (10 << 24) + 3, 2**32 - 300):
        for count in (0, 1, 251, 252, 256, 257, 600):
            assert _dotted_run(first, count) == [_dotted(first + i) for i in range(count)]


def test_the_pause_promotes_without_thawing_what_someone_else_froze() -> None:
    # The pause ends with gc.freeze() + gc.unfreeze() only when nothing is frozen: nothing stays frozen after
    # it, and a caller's frozen objects stay frozen.
    assert gc.get_freeze_count() == 0
    add_instances(World.default(), 3)
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        add_instances(World.default(), 3)
        World.from_json(World.default().to_json())
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_instance_indexes_built_at_once_equal_the_indexes_entry_by_entry() -> None:
    # Instances in several subnets, AZs and statuses: keys whose group is one alike group (shared order) and
    # keys that gather several (their own list, extended), against orders grown one entry at a time.
    world = World.default()
    for index, subnet in enumerate(s for s in world.subnets.values() if s.owner == MAIN and s.region == NORTH):
        _, world = add_instances(world, 70 + index, subnet_id=subnet.subnet_id, az=subnet.az, system_disk="local")
    for i, inst in enumerate(list(world.instances.values())[::3]):
        world = world.with_instance(replace(inst, status=("stopped", "pending")[i % 2]))
    for inst in list(world.instances.values())[1::5]:  # rebuilt from another image
        world = world.with_instance(replace(inst, image_id="img-ubuntu18cd"))
    for inst in list(world.instances.values())[2::7]:  # resized, in another fault domain
        world = world.with_instance(replace(inst, instance_type="g.n2.large", fault_domain="fd-2"))
    for inst in list(world.instances.values())[3::4]:  # in an availability group (the others in none)
        world = world.with_instance(replace(inst, ag_id="ag-web00000001"))
    instances = list(world.instances.values())
    expected_order: dict[tuple[str, str], InstanceOrder] = {}
    expected_by: dict[ByKey, InstanceOrder] = {}
    empty = InstanceOrder(Map(), (), 0)
    for inst in instances:
        entry = (inst.seq, inst.instance_id)
        place = (inst.owner, inst.region)
        expected_order[place] = expected_order.get(place, empty).with_entry(entry)
        values = (inst.status, inst.az, inst.subnet_id, inst.vpc_id, inst.image_id, inst.instance_type,
                  inst.fault_domain, inst.ag_id)
        for name, value in zip(INDEXED_FILTERS, values, strict=True):
            key = (*place, name, value)
            expected_by[key] = expected_by.get(key, empty).with_entry(entry)
    assert len({key[3] for key in expected_by if key[2] == "subnetId"}) > 1
    assert all(len({key[3] for key in expected_by if key[2] == name}) > 1
               for name in ("imageId", "instanceType", "faultDomain", "agId"))
    assert build_instance_indexes(instances) == (Map(expected_order), Map(expected_by))
    assert build_instances_by(instances) == Map(expected_by)
    assert build_instance_order(instances) == Map(expected_order)
    assert world.instance_order == Map(expected_order) and world.instances_by == Map(expected_by)


def test_an_explicit_address_must_be_free_and_names_one_instance() -> None:
    from vmrules.builders import add_network_interface

    world = World.default()
    SUBNET = "subnet-main00001a"  # alice's subnet of the default world
    _, world = add_instance(world, owner="alice", subnet_id=SUBNET, private_ip="10.0.1.200")
    assert world.address_user(SUBNET, "10.0.1.200") is not None
    assert check_invariants(world) == []
    with pytest.raises(ValueError, match=r"10\.0\.1\.200 is already in use"):
        add_instance(world, owner="alice", subnet_id=SUBNET, private_ip="10.0.1.200")
    with pytest.raises(ValueError, match=r"10\.0\.1\.200 is already in use"):
        add_network_interface(world, owner="alice", subnet_id=SUBNET, private_ip="10.0.1.200")
    with pytest.raises(ValueError, match="names one instance"):
        add_instances(world, 2, owner="alice", subnet_id=SUBNET, private_ip="10.0.1.201")
    # The next address is free, by either builder.
    _, after = add_instances(world, 1, owner="alice", subnet_id=SUBNET, private_ip="10.0.1.201")
    _, beside = add_network_interface(world, owner="alice", subnet_id=SUBNET, private_ip="10.0.1.202")
    assert check_invariants(after) == [] and check_invariants(beside) == []


def test_default_groups_index_finds_what_a_scan_of_the_groups_finds(world: World) -> None:
    """``default_security_group`` reads ``default_groups``: for every VPC it must give the first default group
    a scan of the world's groups finds (none for a VPC without one, the first of two defaults), and a world
    whose groups are replaced gets the index rebuilt."""
    from vmrules.indexes import build_default_groups
    from vmrules.model import SecurityGroup

    def scanned(w: World, vpc_id: str) -> SecurityGroup | None:
        return next((g for g in w.security_groups.values() if g.vpc_id == vpc_id and g.is_default), None)

    extra = {f"sg-extra{k:05d}": SecurityGroup(f"sg-extra{k:05d}", MAIN, NORTH, f"vpc-extra{k % 40:04d}", "g",
                                               k % 7 == 0, "") for k in range(200)}
    extra["sg-second0def"] = SecurityGroup("sg-second0def", MAIN, NORTH, "vpc-extra0000", "g", True, "")
    groups = world.security_groups.update(extra)
    evolved = world.evolve(security_groups=groups)
    vpcs = {g.vpc_id for g in groups.values()} | {"vpc-nothere0"}
    for w in (world, evolved):
        assert w.default_groups == build_default_groups(w.security_groups.values())
        for vpc_id in vpcs:
            assert w.default_security_group(vpc_id) == scanned(w, vpc_id), vpc_id
    assert evolved.default_security_group("vpc-extra0003") is None  # its groups 3, 43, ..., 163: none k % 7 == 0
    first = evolved.default_security_group("vpc-extra0000")  # two defaults: sg-extra00000 and sg-second0def
    assert first is not None
    without = evolved.evolve(security_groups=groups.delete(first.security_group_id))
    assert without.default_security_group("vpc-extra0000") == scanned(without, "vpc-extra0000") != first
    assert without.default_security_group("vpc-extra0000") is not None
