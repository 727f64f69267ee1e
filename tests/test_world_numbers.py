"""The world's invariants on numbers (vmrules/consistency.py): usage counters against a recount and the quotas,
IPv4 addresses and prefixes as the checker reads them, a subnet inside its VPC, and every bad address reported."""

from __future__ import annotations

from dataclasses import replace

import pytest
from world_edits import DEFAULT, SUBNET, found, messages, with_nic

from vmrules import World
from vmrules.builders import add_account, add_instances, add_network_interface
from vmrules.consistency import _ipv4, _network

TEMPLATES = ("alice", "cn-north-1", "instanceTemplate")  # the default world's one template counts 1


def with_usage(world: World, key: tuple[str, str, str], value: int | None) -> World:
    usage = world.usage.delete(key) if value is None else world.usage.set(key, value)
    return world.evolve(usage=usage)


# ---- usage ----------------------------------------------------------------------------------------------


def test_a_counter_the_recount_does_not_give_is_reported() -> None:
    assert DEFAULT.usage[TEMPLATES] == 1
    assert found(with_usage(DEFAULT, TEMPLATES, None)) == [("usage", TEMPLATES, "")]
    key = ("alice", "cn-north-1", "imageShare")
    assert found(with_usage(DEFAULT, key, 1)) == [("usage", key, "")]
    assert messages(with_usage(DEFAULT, key, -1)) == [
        f"usage {key} is -1; a recount of the world gives 0", f"usage {key} is negative (-1)"]


def test_a_zero_counter_counts_nothing_even_for_an_unknown_account() -> None:
    assert found(with_usage(DEFAULT, ("nobody", "cn-north-1", "instance"), 0)) == []
    assert found(with_usage(DEFAULT, ("nobody", "cn-north-1", "instance"), 1)) == [
        ("usage", ("nobody", "cn-north-1", "instance"), ""), ("usage", ("nobody", "cn-north-1", "instance"), "")]


@pytest.mark.parametrize(("quotas", "member"), [
    ([("instance", 2), ("instance_cpu", 100), ("instance_memory", 1000)], None),
    ([("instance_cpu", 100), ("instance", 1), ("instance_memory", 1000)], ".quotas[1].limit"),
    ([("instance_cpu", 100), ("instance_memory", 1000)], ".quotas"),  # not listed: a quota of 0
])
def test_usage_never_exceeds_the_quota_named_where_it_is_listed(quotas: list[tuple[str, int]],
                                                               member: str | None) -> None:
    # bob (no usage in the default world) with other quotas, and two instances in his own subnet
    _, world = add_instances(add_account(DEFAULT, "bob", quotas=quotas), 2, owner="bob", subnet_id="subnet-bobnet001a")
    assert found(world) == ([] if member is None else [("accounts", "bob", member)])


# ---- addresses and prefixes -----------------------------------------------------------------------------


def test_an_address_is_four_octets_of_at_most_255() -> None:
    assert _ipv4("0.0.0.0") == 0 and _ipv4("255.255.255.255") == 2**32 - 1
    assert _ipv4("1.2.3.4") == 0x01020304 and _ipv4("10.0.3.200") == (10 << 24) | (3 << 8) | 200
    for octet in range(4):
        parts = ["1", "2", "3", "4"]
        parts[octet] = "255"
        assert _ipv4(".".join(parts)) is not None
        parts[octet] = "256"
        assert _ipv4(".".join(parts)) is None
    for text in ("1.2.3", "1.2.3.4.5", "1.2.3.x", "1.2.3.4 ", "١.2.3.4", ""):
        assert _ipv4(text) is None


def test_a_prefix_is_a_network_address_and_a_length_of_0_to_32() -> None:
    assert _network("0.0.0.0/0") == (0, 0)
    assert _network("10.0.1.7/32") == ((10 << 24) | (1 << 8) | 7, 32)
    assert _network("10.0.1.0/24") == ((10 << 24) | (1 << 8), 24)
    for text in ("10.0.1.7/33", "10.0.1.0/-1", "10.0.1.0", "10.0.1.0/", "10.0.1.0/x", "10.0.256.0/24",
                 "10.0.1.128/24", "10.0.1.1/31", "1.0.0.0/0"):
        assert _network(text) is None, text


def _prefixes(vpc_cidr: str, subnet_cidr: str) -> World:
    """The default world with vpc-main000001 and its subnet SUBNET given these prefixes."""
    vpc, subnet = DEFAULT.vpcs["vpc-main000001"], DEFAULT.subnets[SUBNET]
    return DEFAULT.evolve(vpcs=DEFAULT.vpcs.set(vpc.vpc_id, replace(vpc, cidr=vpc_cidr)),
                          subnets=DEFAULT.subnets.set(SUBNET, replace(subnet, cidr=subnet_cidr)))


def subnet_problems(world: World) -> list[tuple[str, object, str]]:
    return [w for w in found(world) if w[0] == "subnets"]


def test_a_subnet_is_inside_its_vpc_and_no_wider() -> None:
    assert subnet_problems(_prefixes("10.0.0.0/16", "10.0.0.0/16")) == []
    assert subnet_problems(_prefixes("0.0.0.0/0", "10.0.1.0/24")) == []  # a /0 holds every address
    for outside in ("10.0.0.0/8", "10.1.1.0/24", "11.0.1.0/24"):
        assert subnet_problems(_prefixes("10.0.0.0/16", outside)) == [("subnets", SUBNET, ".addressPrefix")], outside


def test_an_interfaces_address_is_inside_its_subnet() -> None:
    nic_id, world = add_network_interface(DEFAULT, owner="alice", subnet_id=SUBNET)  # 10.0.1.0/24
    for inside in ("10.0.1.0", "10.0.1.255", "10.0.1.200"):
        assert found(with_nic(world, nic_id, private_ip=inside)) == [], inside
    for outside in ("10.0.0.255", "10.0.2.0", "11.0.1.5"):
        assert found(with_nic(world, nic_id, private_ip=outside)) == [
            ("networkInterfaces", nic_id, ".primaryIp.privateIpAddress")], outside


def test_every_interface_without_an_address_is_reported() -> None:
    world, nic_ids = DEFAULT, []
    for _ in range(3):
        nic_id, world = add_network_interface(world, owner="alice", subnet_id=SUBNET)
        world = with_nic(world, nic_id, private_ip="10.0.1.300")
        nic_ids.append(nic_id)
    assert sorted(found(world)) == sorted(("networkInterfaces", n, ".primaryIp.privateIpAddress") for n in nic_ids)


@pytest.mark.parametrize(("member", "attribute"), [("cpu", "cpu"), ("memoryMB", "memory_mb"),
                                                    ("nicLimit", "nic_limit")])
def test_an_instance_type_has_at_least_one_cpu_mb_and_interface(member: str, attribute: str) -> None:
    """An instance adds its type's CPUs and memory to the usage and holds its primary interface: a type of 0 or
    less was loaded, and the first instance made of it broke the world (usage below 0, an interface too many)."""
    itype = DEFAULT.instance_types["g.n2.medium"]
    for value, fine in ((1, True), (0, False), (-4, False)):
        world = DEFAULT.evolve(instance_types=DEFAULT.instance_types.set(
            itype.instance_type, replace(itype, **{attribute: value})))
        assert found(world) == ([] if fine else [("instanceTypes", "g.n2.medium", f".{member}")]), value


def test_a_subnets_next_host_is_an_offset_inside_it() -> None:
    subnet = DEFAULT.subnets[SUBNET]  # a /24: offsets 0 to 256, where 256 means none is left
    for value, fine in ((0, True), (4, True), (256, True), (-1, False), (-5, False), (257, False)):
        world = DEFAULT.evolve(subnets=DEFAULT.subnets.set(SUBNET, replace(subnet, next_host=value)))
        assert found(world) == ([] if fine else [("subnets", SUBNET, ".nextHost")]), value
