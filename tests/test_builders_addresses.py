"""The builders' private addresses at their edges: handed out in order from a subnet's ``next_host``, an
explicitly chosen address never handed out again, runs across a /24 inside a larger subnet, and the offsets
``reindex_subnets`` derives for worlds built without builders. Also the builders' documented defaults."""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import replace

import pytest

from vmrules import World
from vmrules.builders import (
    add_elastic_ip,
    add_instance,
    add_instances,
    add_keypair,
    allocate_ip,
    free_addresses,
    reindex_subnets,
    reserve_ip,
)
from vmrules.consistency import inconsistencies

SUBNET = "subnet-main00001a"  # 10.0.1.0/24


def wide_subnet(world: World, next_host: int) -> World:
    """The main subnet widened to a /16 (10.0.0.0/16), handing out from ``next_host``, its taken offsets
    derived again (the default world's fixed interfaces at 10.0.1.250-253 are offsets 506-509 of the /16)."""
    subnet = world.subnets[SUBNET]
    wide = replace(subnet, cidr="10.0.0.0/16", next_host=next_host, reserved=())
    widened = reindex_subnets(world.evolve(subnets=world.subnets.set(SUBNET, wide)))
    assert widened.subnets[SUBNET].reserved == (506, 507, 508, 509)
    return widened


def test_addresses_are_handed_out_one_after_another() -> None:
    world = World.default()
    start = world.subnets[SUBNET].next_host
    first, world = allocate_ip(world, SUBNET)
    second, world = allocate_ip(world, SUBNET)
    assert (first, second) == (f"10.0.1.{start}", f"10.0.1.{start + 1}")
    assert world.subnets[SUBNET].next_host == start + 2


def test_an_address_chosen_at_the_next_host_is_never_handed_out() -> None:
    world = World.default()
    start = world.subnets[SUBNET].next_host
    fixed = world.subnets[SUBNET].reserved  # the default world's interfaces at the top of the subnet
    world = reserve_ip(world, SUBNET, f"10.0.1.{start}")
    assert world.subnets[SUBNET].reserved == (start, *fixed)
    handed, world = allocate_ip(world, SUBNET)
    assert handed == f"10.0.1.{start + 1}"
    assert world.subnets[SUBNET].reserved == fixed  # passed: no longer ahead of the allocator


def test_an_address_below_the_next_host_reserves_nothing() -> None:
    world = World.default()
    start = world.subnets[SUBNET].next_host
    below = reserve_ip(world, SUBNET, f"10.0.1.{start - 1}")
    assert below.subnets[SUBNET] == world.subnets[SUBNET]


def test_a_run_of_addresses_crosses_a_slash_24_as_one_at_a_time_would() -> None:
    # 10.0.0.250 on, 200 of them: through 10.0.0.255 into 10.0.1.x, short of the fixed ones at 10.0.1.250
    world = wide_subnet(World.default(), next_host=250)
    expected = [str(ipaddress.ip_address("10.0.0.250") + k) for k in range(200)]
    ids, bulk = add_instances(world, 200, subnet_id=SUBNET)
    assert [bulk.network_interfaces[bulk.instances[i].primary_nic_id].private_ip for i in ids] == expected
    assert bulk.subnets[SUBNET].next_host == 250 + 200
    one_by_one, handed = world, []
    for _ in range(8):
        iid, one_by_one = add_instance(one_by_one, subnet_id=SUBNET)
        handed.append(one_by_one.network_interfaces[one_by_one.instances[iid].primary_nic_id].private_ip)
    assert handed == expected[:8]


def test_a_subnet_hands_out_its_last_host_and_then_refuses() -> None:
    """The main /24 hands out offsets 4 to 254 less the four its fixed interfaces hold (250-253): 247 in all,
    the last being .254 (.255 is the broadcast address). Past that a builder refuses instead of handing out
    addresses of the next subnet's range, and a bulk build asking one too many builds nothing."""
    world = World.default()
    assert free_addresses(world.subnets[SUBNET]) == 247
    with pytest.raises(ValueError, match="has 247 free addresses, 248 asked for"):
        add_instances(world, 248)
    ids, full = add_instances(world, 247)
    addresses = {full.network_interfaces[full.instances[iid].primary_nic_id].private_ip for iid in ids}
    assert "10.0.1.254" in addresses and not addresses & {"10.0.1.250", "10.0.1.253", "10.0.1.255"}
    assert free_addresses(full.subnets[SUBNET]) == 0
    assert not [i for i in inconsistencies(full) if i.collection in ("subnets", "networkInterfaces")]
    with pytest.raises(ValueError, match="has 0 free addresses, 1 asked for"):
        allocate_ip(full, SUBNET)
    with pytest.raises(ValueError, match="has 0 free addresses"):
        add_instance(full)
    _, one_left = add_instances(world, 246)
    assert allocate_ip(one_left, SUBNET)[0] == "10.0.1.254"


def test_reindexing_derives_the_offsets_taken_at_and_past_the_next_host() -> None:
    world = World.default()
    start = world.subnets[SUBNET].next_host
    _, world = add_instance(world, private_ip=f"10.0.1.{start}")
    _, world = add_instance(world, private_ip=f"10.0.1.{start + 5}")
    derived = reindex_subnets(world.evolve(subnets=world.subnets.set(SUBNET, replace(
        world.subnets[SUBNET], reserved=()))))
    fixed = World.default().subnets[SUBNET].reserved
    assert derived.subnets[SUBNET].reserved == world.subnets[SUBNET].reserved == (start, start + 5, *fixed)


def test_a_keypairs_fingerprint_is_the_md5_of_its_name_in_sixteen_pairs() -> None:
    world = add_keypair(World.default(), owner="alice", region="cn-north-1", key_name="deploy-key")
    fingerprint = world.keypairs[("alice", "cn-north-1", "deploy-key")].fingerprint
    digest = hashlib.md5(b"alice/cn-north-1/deploy-key").hexdigest()
    assert fingerprint == ":".join(digest[i:i + 2] for i in range(0, 32, 2))
    assert len(fingerprint.split(":")) == 16


def test_an_elastic_ip_is_five_mbps_unless_given() -> None:
    eip_id, world = add_elastic_ip(World.default(), owner="alice", region="cn-north-1")
    assert world.elastic_ips[eip_id].bandwidth_mbps == 5
