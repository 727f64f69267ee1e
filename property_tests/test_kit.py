"""The test kit itself: check_invariants detects each kind of broken world, and the strategies do what they
promise (valid requests mostly succeed, invalid requests cover at least two rules of every operation)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pooled_worlds import operation_worlds

from vmrules import OPERATIONS, World, execute, settle
from vmrules.builders import DataDiskPlan, add_elastic_ip, add_instance, bind_elastic_ip
from vmrules.model import DiskAttachment, InstanceDisk
from vmrules.testing import check_invariants
from vmrules.testing.conformance import first_difference, normalized
from vmrules.testing.conformance.compare import _first_difference
from vmrules.testing.strategies import invalid_requests, valid_passwords, valid_requests

WORLDS_6 = operation_worlds(max_instances=6)  # built here, not inside a test


@pytest.fixture
def built() -> tuple[World, str]:
    iid, world = add_instance(World.default(), data_disks=[DataDiskPlan("ssd", 100)])
    return world, iid


def test_a_consistent_world_has_no_problem(built: tuple[World, str]) -> None:
    world, _ = built
    assert check_invariants(World.default()) == []
    assert check_invariants(world) == []


def _problems(world: World, needle: str) -> list[str]:
    found = check_invariants(world)
    assert any(needle in p for p in found), found
    return found


def test_detects_too_many_data_disks(built: tuple[World, str]) -> None:
    world, iid = built
    inst = world.instances[iid]
    disks = tuple(InstanceDisk(f"vol-x{n}", f"vd{'cdefghij'[n]}", True) for n in range(8))
    _problems(world.evolve(instances=world.instances.set(iid, replace(inst, data_disks=inst.data_disks + disks))),
              "data disks")


def test_detects_security_group_count(built: tuple[World, str]) -> None:
    world, iid = built
    nic = world.network_interfaces[world.instances[iid].primary_nic_id]
    world = world.evolve(network_interfaces=world.network_interfaces.set(nic.nic_id, replace(
        nic, security_group_ids=())))
    _problems(world, "security groups")


def test_detects_too_many_shares() -> None:
    world = World.default()
    image = world.images["img-centos7cld"]
    pins = tuple(sorted(world.accounts))[:21]
    world = world.evolve(images=world.images.set(image.image_id, replace(image, source="private", owner="alice",
                                                                          shared_with=pins)))
    _problems(world, "shared with 21 accounts")


def test_detects_usage_drift_and_quota(built: tuple[World, str]) -> None:
    world, _ = built
    _problems(world.add_usage("alice", "cn-north-1", "instance", 1), "recount")
    _problems(world.add_usage("alice", "cn-north-1", "image", 21), "quota")


def test_detects_disk_on_two_instances(built: tuple[World, str]) -> None:
    world, iid = built
    disk_id = world.instances[iid].data_disks[0].disk_id
    jid, world = add_instance(world)
    disk = world.disks[disk_id]
    world = world.evolve(disks=world.disks.set(disk_id, replace(
        disk, attachments=(*disk.attachments, DiskAttachment(jid, "attached")))))
    _problems(world, "attached to 2 instances")
    _problems(world, "does not list the disk")


def test_detects_one_sided_elastic_ip(built: tuple[World, str]) -> None:
    world, iid = built
    eip_id, world = add_elastic_ip(world, owner="alice", region="cn-north-1")
    bound = bind_elastic_ip(world, eip_id, world.instances[iid].primary_nic_id)
    assert check_invariants(bound) == []
    eip = bound.elastic_ips[eip_id]
    _problems(bound.evolve(elastic_ips=bound.elastic_ips.set(eip_id, replace(eip, nic_id=None, instance_id=None,
                                                                               private_ip=None))), "carries")


def test_detects_dangling_references_and_enums(built: tuple[World, str]) -> None:
    world, iid = built
    inst = world.instances[iid]
    _problems(world.evolve(instances=world.instances.set(iid, replace(inst, instance_type="x.nope"))),
              "unknown instance type")
    exploded = replace(inst, status="exploded")  # type: ignore[arg-type]
    _problems(world.evolve(instances=world.instances.set(iid, exploded)), "status")
    _problems(world.with_task("i-gone000000", "stopInstance"), "does not exist")
    _problems(world.with_task(iid, "noSuchCompletion"), "no completion")


def test_detects_cross_account_references(built: tuple[World, str]) -> None:
    world, iid = built
    inst = world.instances[iid]
    _problems(world.evolve(instances=world.instances.set(iid, replace(inst, subnet_id="subnet-bobnet001a",
                                                                        vpc_id="vpc-bobnet0001"))), "of bob")


def test_detects_nic_limit(built: tuple[World, str]) -> None:
    world, iid = built
    inst = world.instances[iid]
    _problems(world.evolve(instances=world.instances.set(iid, replace(
        inst, secondary_nic_ids=("port-eniplain01", "port-eniplain02")))), "interfaces; type")


def test_detects_device_indexes_at_odds_with_the_attachment(built: tuple[World, str]) -> None:
    world, iid = built
    primary = world.instances[iid].primary_nic_id
    nics = world.network_interfaces
    _problems(world.evolve(network_interfaces=nics.set(primary, replace(nics[primary], device_index=2))),
              "a primary interface is at 1")
    iid, world = add_instance(world, instance_type="g.n2.large", name="three-interfaces")
    for nic_id in ("port-eniplain01", "port-eniplain02"):
        world = execute(world, "attachNetworkInterface", {"regionId": "cn-north-1", "instanceId": iid,
                                                          "networkInterfaceId": nic_id}).world
    assert len(world.instances[iid].secondary_nic_ids) == 2
    assert check_invariants(world) == []
    nics = world.network_interfaces
    for index, needle in ((2, "as is interface port-eniplain01"), (1, "the primary interface's"),
                          (0, "which means not attached")):
        _problems(world.evolve(network_interfaces=nics.set("port-eniplain02", replace(
            nics["port-eniplain02"], device_index=index))), needle)


def test_detects_auto_delete_where_it_cannot_take_effect(built: tuple[World, str]) -> None:
    world, iid = built
    disk_id = world.instances[iid].data_disks[0].disk_id
    assert world.instances[iid].data_disks[0].auto_delete
    for change in ({"charge": replace(world.disks[disk_id].charge, mode="postpaid_by_usage")},
                   {"multi_attachable": True}):
        _problems(world.evolve(disks=world.disks.set(disk_id, replace(world.disks[disk_id], **change))),
                  "cannot be deleted with its instance")


@given(valid_passwords())
def test_valid_passwords_pass_the_password_rule(password: str) -> None:
    iid, world = add_instance(World.default())
    outcome = execute(settle(world), "modifyInstancePassword",
                      {"regionId": "cn-north-1", "instanceId": iid, "password": password})
    assert outcome.ok, outcome.error


SAMPLES = 25


@pytest.mark.parametrize("operation", OPERATIONS)
def test_valid_requests_mostly_succeed(operation: str) -> None:
    results: list[bool] = []

    @settings(max_examples=SAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def sample(data: st.DataObject) -> None:
        world = data.draw(WORLDS_6)
        results.append(execute(world, operation, data.draw(valid_requests(world, operation))).ok)

    sample()
    assert sum(results) >= 0.6 * len(results), f"{operation}: {sum(results)}/{len(results)} succeeded"


@pytest.mark.parametrize("operation", OPERATIONS)
def test_invalid_requests_cover_at_least_two_rules(operation: str) -> None:
    targeted: Counter[str] = Counter()

    @settings(max_examples=40, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def sample(data: st.DataObject) -> None:
        world = data.draw(WORLDS_6)
        targeted[data.draw(invalid_requests(world, operation))[1]] += 1

    sample()
    specific = [r for r in targeted if not r.startswith("REQUEST.")]
    assert len(targeted) >= 3 and specific, targeted


_NAMES = st.sampled_from(["id", "status", "launchTime", "macAddress", "ip"])
_JSON = st.recursive(st.none() | st.booleans() | st.integers(-2, 2) | st.sampled_from([0.0, 1.0, "a", "b"]),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_NAMES, inner, max_size=4),
                     max_leaves=12)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(_JSON, _JSON, st.booleans(), st.sets(_NAMES, max_size=2))
def test_first_difference_is_the_difference_of_the_normalized_values(
        a: object, b: object, alike: bool, volatile: set[str]) -> None:
    """The comparison that copies nothing agrees with comparing the normalized copies member by member, on
    values that differ (drawn apart) and on values that differ only in volatile members (``b`` drawn from
    ``a``)."""
    frozen = frozenset(volatile)
    if alike:
        b = _with_volatile_changed(a, frozen)
    expected = _first_difference(normalized(a, frozen), normalized(b, frozen), "result")
    assert first_difference(a, b, volatile=frozen) == expected
    if alike:
        assert expected is None


def _with_volatile_changed(value: object, volatile: frozenset[str]) -> object:
    if isinstance(value, dict):
        return {k: ("changed" if k in volatile else _with_volatile_changed(v, volatile)) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_volatile_changed(v, volatile) for v in value]
    return value
