"""Edges of createInstances' network rules (operations/create/rules_network.py) that
tests/test_create_instances.py leaves open: a subnet's last free address, and the exact edges of the
address, security-group and elastic-IP rules."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from helpers import NORTH, ok, refused

from vmrules import World, check, execute

IA = "INVALID_ARGUMENT"
FA = "FAILED_PRECONDITION"
NIC = "instanceSpec.primaryNetworkInterface.networkInterface"


def spec(nic: dict[str, Any] | None = None, **instance_spec: Any) -> dict[str, Any]:
    return {"regionId": NORTH, "instanceSpec": {
        "name": "web", "az": "cn-north-1b", "instanceType": "g.n2.medium", "imageId": "img-centos7cld",
        "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001b", **(nic or {})}},
        "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}},
        **instance_spec}}


def with_next_host(world: World, subnet_id: str, next_host: int) -> World:
    subnet = world.subnets[subnet_id]
    return world.evolve(subnets=world.subnets.set(subnet_id, replace(subnet, next_host=next_host)))


def rules(world: World, params: dict[str, Any]) -> list[str]:
    return [e.rule for e in check(world, "createInstances", params)]


@pytest.mark.rule("CREATE_INSTANCES.SUBNET_ADDRESSES")
def test_a_subnet_with_one_free_address_takes_one_instance(world: World) -> None:
    # 10.0.2.0/24 hands out host offsets up to 254 (255 is the broadcast address).
    last_one = with_next_host(world, "subnet-main00001b", 254)
    new = ok(execute(last_one, "createInstances", spec()))
    assert [nic.private_ip for nic in new.network_interfaces.values()
            if nic.subnet_id == "subnet-main00001b"] == ["10.0.2.254"]
    refused(execute(new, "createInstances", spec()), "CREATE_INSTANCES.SUBNET_ADDRESSES", FA)
    refused(execute(with_next_host(world, "subnet-main00001b", 255), "createInstances", spec()),
            "CREATE_INSTANCES.SUBNET_ADDRESSES", FA)


@pytest.mark.rule("CREATE_INSTANCES.PRIMARY_IP_IN_SUBNET")
@pytest.mark.parametrize(("address", "usable"), [
    ("10.0.2.1", False), ("10.0.2.2", True), ("10.0.2.254", True), ("10.0.2.255", False), ("10.0.1.2", False),
])
def test_primary_ip_takes_host_offsets_2_to_the_last_but_one(world: World, address: str, usable: bool) -> None:
    params = spec({"primaryIpAddress": address})
    outcome = execute(world, "createInstances", params)
    if usable:
        new = ok(outcome)
        assert address in {nic.private_ip for nic in new.network_interfaces.values()}
    else:
        refused(outcome, "CREATE_INSTANCES.PRIMARY_IP_IN_SUBNET", IA)


@pytest.mark.rule("CREATE_INSTANCES.SECURITY_GROUP_COUNT")
def test_a_security_group_listed_exactly_twice_is_refused(world: World) -> None:
    twice = spec({"securityGroups": ["sg-main000001", "sg-main000002", "sg-main000001"]})
    out = execute(world, "createInstances", twice)
    refused(out, "CREATE_INSTANCES.SECURITY_GROUP_COUNT", IA)
    assert out.error is not None and "repeats sg-main000001" in out.error.message
    assert out.error.field == "instanceSpec.primaryNetworkInterface.networkInterface.securityGroups.2"
    ok(execute(world, "createInstances", spec({"securityGroups": ["sg-main000001", "sg-main000002"]})))


@pytest.mark.rule("CREATE_INSTANCES.SUBNET_ADDRESSES")
def test_addresses_taken_by_interfaces_are_not_free(world: World) -> None:
    # 10.0.1.250-.253 belong to the default world's interfaces: from offset 250 only .254 is free.
    params = spec(az="cn-north-1a")
    params["instanceSpec"]["primaryNetworkInterface"]["networkInterface"]["subnetId"] = "subnet-main00001a"
    params["maxCount"] = 3
    near_the_end = with_next_host(world, "subnet-main00001a", 250)
    out = execute(near_the_end, "createInstances", params)
    new = ok(out)
    assert [new.network_interfaces[new.instances[i].primary_nic_id].private_ip
            for i in out.result["instanceIds"]] == ["10.0.1.254"]
    refused(execute(new, "createInstances", params), "CREATE_INSTANCES.SUBNET_ADDRESSES", FA)


@pytest.mark.rule("CREATE_INSTANCES.SUBNET_ADDRESSES")
def test_an_interface_on_the_last_host_address_leaves_it_taken(world: World) -> None:
    on_last = ok(execute(world, "createInstances", spec({"primaryIpAddress": "10.0.2.254"})))
    params = spec()
    params["maxCount"] = 2
    out = execute(with_next_host(on_last, "subnet-main00001b", 253), "createInstances", params)
    new = ok(out)
    assert [new.network_interfaces[new.instances[i].primary_nic_id].private_ip
            for i in out.result["instanceIds"]] == ["10.0.2.253"]


@pytest.mark.rule("CREATE_INSTANCES.PRIMARY_IP_SINGLE")
def test_a_primary_ip_creates_exactly_one_instance(world: World) -> None:
    out = execute(world, "createInstances", spec({"primaryIpAddress": "10.0.2.100"}))
    new = ok(out)
    assert len(out.result["instanceIds"]) == 1 and len(new.instances) == len(world.instances) + 1


@pytest.mark.rule("CREATE_INSTANCES.SUBNET_ADDRESSES")
def test_a_primary_ip_needs_no_address_left_to_hand_out(world: World) -> None:
    full = with_next_host(world, "subnet-main00001b", 255)
    refused(execute(full, "createInstances", spec()), "CREATE_INSTANCES.SUBNET_ADDRESSES", FA)
    out = execute(full, "createInstances", spec({"primaryIpAddress": "10.0.2.254"}))
    assert len(out.result["instanceIds"]) == 1
    new = ok(out)
    assert new.network_interfaces[new.instances[out.result["instanceIds"][0]].primary_nic_id].private_ip == (
        "10.0.2.254")


@pytest.mark.rule("CREATE_INSTANCES.SECURITY_GROUP_COUNT")
def test_five_security_groups_with_a_duplicate_are_refused_for_the_duplicate_only(world: World) -> None:
    def messages(groups: list[str]) -> list[str]:
        return [e.message for e in check(world, "createInstances", spec({"securityGroups": groups}))
                if e.rule == "CREATE_INSTANCES.SECURITY_GROUP_COUNT"]

    five = ["sg-main000001", "sg-main000002", "sg-main000003", "sg-main000004", "sg-main000001"]
    found = messages(five)
    assert len(found) == 1 and "securityGroups.4 repeats sg-main000001" in found[0]
    six = [*five[:4], "sg-main000005", "sg-main000006"]
    assert len(messages(six)) == 1 and "has 6 groups" in messages(six)[0]
    assert messages([*five[:4], "sg-main000005"]) == []
