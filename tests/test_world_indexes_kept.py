"""The world's derived indexes stay equal to a rebuild whichever way a world is made: by the constructor (an
index handed over is used as it is, a missing one is built), by ``evolve`` with a hand edit (an index not handed
over is rebuilt, even when the edit keeps the number of entries), and by ``with_interface`` (O(log n))."""

from __future__ import annotations

from dataclasses import replace

import pytest
from immutables import Map
from world_edits import DEFAULT, SUBNET, with_instance, with_nic

from vmrules import World, execute, settle, state
from vmrules.builders import add_elastic_ip, add_instance, add_instances, add_network_interface, bind_elastic_ip
from vmrules.defaults import MAIN, NORTH
from vmrules.indexes import (
    build_default_groups,
    build_image_listings,
    build_instance_order,
    build_instances_by,
    build_subnet_addresses,
)
from vmrules.spec_examples import EXAMPLES, Example, run_example, runnable
from vmrules.state import Batch, BulkBatch
from vmrules.task_starts import NO_TASKS, build_task_starts

INDEXES = ("instance_order", "instances_by", "image_listings", "subnet_addresses", "default_groups", "task_starts")
OTHER_SUBNET = "subnet-main00001b"  # 10.0.2.0/24, same VPC


def _rebuilt(world: World) -> dict[str, object]:
    return {"instance_order": build_instance_order(world.instances.values()),
            "instances_by": build_instances_by(world.instances.values()),
            "image_listings": build_image_listings(world.images.values()),
            "subnet_addresses": build_subnet_addresses(world.network_interfaces.values()),
            "default_groups": build_default_groups(world.security_groups.values()),
            "task_starts": build_task_starts(world.tasks)}


def _stale(world: World) -> list[str]:
    """The indexes that differ from a rebuild."""
    return [name for name, rebuilt in _rebuilt(world).items() if getattr(world, name) != rebuilt]


def _listed(world: World, region: str = NORTH) -> list[str]:
    return [inst.instance_id for inst in world.owned_instances(MAIN, region)]


@pytest.fixture(scope="module")
def two() -> tuple[str, str, World]:
    """Two instances of MAIN in NORTH, the first one's creation task still in progress."""
    first, world = add_instance(DEFAULT, name="first", task="createInstances")
    second, world = add_instance(world, name="second")
    return first, second, world


# ---- evolve: a hand edit that keeps the count still moves or swaps entries ------------------------------


def test_evolve_rebuilds_the_order_when_an_instance_moves_in_creation_order(two: tuple[str, str, World]) -> None:
    first, second, world = two
    assert _listed(world) == [first, second]
    moved = with_instance(world, first, seq=world.instances[second].seq + 1)
    assert _listed(moved) == [second, first] and _stale(moved) == []


def test_evolve_rebuilds_the_order_when_an_instance_moves_to_another_region(two: tuple[str, str, World]) -> None:
    first, second, world = two
    moved = with_instance(world, first, region="cn-east-2")
    assert _listed(moved) == [second] and _listed(moved, "cn-east-2") == [first] and _stale(moved) == []


def test_evolve_rebuilds_the_indexes_when_one_instance_takes_anothers_place(two: tuple[str, str, World]) -> None:
    first, second, world = two
    stand_in = replace(world.instances[first], instance_id="i-standin001")
    swapped = world.evolve(instances=world.instances.delete(first).set(stand_in.instance_id, stand_in))
    assert len(swapped.instances) == len(world.instances)
    assert _listed(swapped) == ["i-standin001", second] and _stale(swapped) == []


def test_evolve_rebuilds_the_addresses_when_an_interface_changes_its_address(two: tuple[str, str, World]) -> None:
    first, _, world = two
    nic_id = world.instances[first].primary_nic_id
    before = world.network_interfaces[nic_id].private_ip
    moved = with_nic(world, nic_id, private_ip="10.0.1.200")
    assert moved.address_user(SUBNET, "10.0.1.200") == nic_id and moved.address_user(SUBNET, before) is None
    assert _stale(moved) == []


def test_evolve_rebuilds_the_addresses_when_one_interface_takes_anothers_place(two: tuple[str, str, World]) -> None:
    first, _, world = two
    nic = world.network_interfaces[world.instances[first].primary_nic_id]
    stand_in = replace(nic, nic_id="port-standin01")
    swapped = world.evolve(network_interfaces=world.network_interfaces.delete(nic.nic_id).set("port-standin01",
                                                                                            stand_in))
    assert swapped.address_user(SUBNET, nic.private_ip) == "port-standin01" and _stale(swapped) == []


def test_evolve_keeps_the_indexes_it_is_handed(two: tuple[str, str, World]) -> None:
    # A transition hands over the indexes it updated in O(log n): they are not rebuilt (nor replaced).
    first, _, world = two
    order, by, addresses = Map(world.instance_order), Map(world.instances_by), Map(world.subnet_addresses)
    evolved = world.evolve(instances=world.instances.delete(first), instance_order=order, instances_by=by,
                           network_interfaces=world.network_interfaces.delete(world.instances[first].primary_nic_id),
                           subnet_addresses=addresses)
    assert evolved.instance_order is order and evolved.instances_by is by and evolved.subnet_addresses is addresses


# ---- the constructor: an index handed over is used, a missing one is built --------------------------------


def test_a_world_constructed_with_its_indexes_uses_them_as_they_are(two: tuple[str, str, World]) -> None:
    world = two[2]
    assert all(getattr(world, name) for name in INDEXES)  # every index has entries, so none is built for lack
    copy = replace(world)  # the constructor, handed every field
    assert [name for name in INDEXES if getattr(copy, name) is not getattr(world, name)] == []


@pytest.mark.parametrize("missing", [(name,) for name in INDEXES] + [("instance_order", "instances_by")])
def test_a_world_constructed_without_an_index_builds_it(two: tuple[str, str, World], missing: tuple[str, ...]) -> None:
    world = two[2]
    empty = {name: NO_TASKS if name == "task_starts" else Map() for name in missing}
    built = replace(world, **empty)
    assert _stale(built) == []
    assert [name for name in INDEXES if name not in missing and getattr(built, name) is not getattr(world, name)] == []


# ---- with_instance ----------------------------------------------------------------------------------------


def test_with_instance_puts_a_new_instance_in_creation_order(two: tuple[str, str, World]) -> None:
    first, second, world = two
    newcomer = replace(world.instances[first], instance_id="i-newcomer01", seq=world.instances[second].seq + 1)
    added = world.with_instance(newcomer)
    assert _listed(added) == [first, second, "i-newcomer01"] and _stale(added) == []


@pytest.mark.parametrize("moved", [{"region": "cn-east-2"}, {"owner": "bob"}, {"seq": 10**6}])
def test_with_instance_moves_an_instance_whose_order_key_changes(two: tuple[str, str, World],
                                                                 moved: dict[str, object]) -> None:
    first, second, world = two
    changed = world.with_instance(replace(world.instances[first], **moved))
    assert _stale(changed) == []
    assert _listed(changed) == ([second, first] if "seq" in moved else [second])


# ---- with_interface ---------------------------------------------------------------------------------------


def test_with_interface_moves_an_address_within_its_subnet(two: tuple[str, str, World]) -> None:
    first, _, world = two
    nic = world.network_interfaces[world.instances[first].primary_nic_id]
    moved = world.with_interface(replace(nic, private_ip="10.0.1.201"))
    assert moved.address_user(SUBNET, "10.0.1.201") == nic.nic_id and moved.address_user(SUBNET, nic.private_ip) is None
    assert _stale(moved) == []


def test_with_interface_moves_an_address_to_another_subnet(two: tuple[str, str, World]) -> None:
    first, _, world = two
    nic = world.network_interfaces[world.instances[first].primary_nic_id]
    moved = world.with_interface(replace(nic, subnet_id=OTHER_SUBNET))  # the same address, in 10.0.2.0/24
    assert moved.address_user(OTHER_SUBNET, nic.private_ip) == nic.nic_id
    assert moved.address_user(SUBNET, nic.private_ip) is None and _stale(moved) == []


def test_with_interface_keeping_the_address_keeps_it_taken(two: tuple[str, str, World]) -> None:
    first, _, world = two
    nic = world.network_interfaces[world.instances[first].primary_nic_id]
    changed = world.with_interface(replace(nic, auto_delete=not nic.auto_delete))
    assert changed.address_user(SUBNET, nic.private_ip) == nic.nic_id and _stale(changed) == []
    assert changed.instance_order is world.instance_order and changed.instances_by is world.instances_by


def test_with_interface_adds_a_new_interface(two: tuple[str, str, World]) -> None:
    world = two[2]
    nic_id, with_free = add_network_interface(world, owner=MAIN, subnet_id=SUBNET)
    nic = replace(with_free.network_interfaces[nic_id], nic_id="port-newcomer1", private_ip="10.0.1.202")
    added = world.with_interface(nic)
    assert added.address_user(SUBNET, "10.0.1.202") == "port-newcomer1" and _stale(added) == []


# ---- every operation keeps the indexes itself ---------------------------------------------------------------

_SUCCEEDING = [ex for ex in EXAMPLES if ex.expect is None and runnable(ex)]
_BUILDERS = ("build_instance_indexes", "build_instance_order", "build_instances_by", "build_image_listings",
             "build_subnet_addresses", "build_default_groups", "build_task_starts")


@pytest.mark.parametrize("example", _SUCCEEDING, ids=lambda ex: f"{ex.operation}:{ex.title}")
def test_no_operation_falls_back_to_rebuilding_an_index(example: Example, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each spec example's request, and the settle after it, hand over every index they change: the rebuild
    ``evolve`` falls back to would cost the whole world on every request (bench/scale.py)."""
    run = run_example(example)
    assert run.problem is None, run.problem

    def no_rebuild(*_: object) -> None:
        raise AssertionError("an index was rebuilt instead of kept")

    for name in _BUILDERS:
        monkeypatch.setattr(state, name, no_rebuild)
    outcome = execute(run.before, example.operation, run.params, caller=example.caller)
    settled = settle(outcome.world)
    monkeypatch.undo()
    assert outcome.ok, outcome.error
    assert _stale(outcome.world) == [] and _stale(settled) == []


def test_builders_keep_the_indexes_without_rebuilding_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each builder's batch hands every index it changes over (bench/scale.py's 100,000-instance builds would
    otherwise rebuild them per instance): an interface alone, an elastic IP and its binding, one instance, many."""
    def no_rebuild(*_: object) -> None:
        raise AssertionError("an index was rebuilt instead of kept")

    world = DEFAULT
    for name in _BUILDERS:
        monkeypatch.setattr(state, name, no_rebuild)
    nic_id, world = add_network_interface(world, owner=MAIN, subnet_id=SUBNET)
    eip_id, world = add_elastic_ip(world, owner=MAIN, region=NORTH)
    world = bind_elastic_ip(world, eip_id, nic_id)
    _, world = add_instance(world, task="createInstances")
    _, world = add_instances(world, 40, task="createInstances")
    monkeypatch.undo()
    assert _stale(world) == [] and world.address_user(SUBNET, world.network_interfaces[nic_id].private_ip) == nic_id


def test_a_bulk_batch_drops_a_count_brought_to_zero_as_a_batch_does() -> None:
    # add_instances only adds, but the bulk batch promises the world a Batch gives for the same changes.
    _, world = add_instance(DEFAULT)
    key = (MAIN, NORTH, "instance")
    worlds = []
    for kind in (Batch, BulkBatch):
        batch = kind(world)
        batch.add_usages(MAIN, NORTH, [("instance", -world.usage[key]), ("disk", 1)])
        worlds.append(batch.done())
    assert [key in w.usage for w in worlds] == [False, False]
    assert worlds[0].usage == worlds[1].usage


@pytest.mark.parametrize("kind", [Batch, BulkBatch])
def test_a_batch_of_interfaces_alone_extends_the_addresses(kind: type[Batch[World]],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # add_instances puts interfaces only beside instances, but either batch takes new interfaces on their own.
    nic_id, with_one = add_network_interface(DEFAULT, owner=MAIN, subnet_id=SUBNET)
    template = with_one.network_interfaces[nic_id]
    batch = kind(DEFAULT)
    for address in ("10.0.1.210", "10.0.1.211"):
        new = batch.new_id("port-")
        batch.put("network_interfaces", new, replace(template, nic_id=new, private_ip=address))
    monkeypatch.setattr(state, "build_subnet_addresses", lambda *_: pytest.fail("subnet_addresses was rebuilt"))
    done = batch.done()
    monkeypatch.undo()
    assert [done.address_user(SUBNET, a) is not None for a in ("10.0.1.210", "10.0.1.211")] == [True, True]
    assert _stale(done) == []
