"""The sweep's per-rule setups and request makers fire the instance rules a starting world alone cannot.

Each setup is shown in a lockstep against the in-process reference: aiming the sweep's pair at the rule fires it
with the setup, and (for the rules whose state the edge world lacks) does not without it. The sweep of a run
fires every rule of these modules that the API can reach from the edge world, whatever the seed; the rest are
listed with the reason in docs/decisions/conformance.md.
"""

from __future__ import annotations

import pytest

from vmrules import World, check
from vmrules.catalogue import CATALOGUE
from vmrules.defaults import MAIN, SECOND, UNVERIFIED
from vmrules.operations import OPERATION_TABLE
from vmrules.operations.reconfigure import STORAGE_FAMILIES
from vmrules.testing.adapters import InProcessAdapter
from vmrules.testing.conformance import run_conformance, setups
from vmrules.testing.conformance.directed import _once, send_pair
from vmrules.testing.conformance.edges import AIMED_AS
from vmrules.testing.conformance.lockstep import Lockstep
from vmrules.testing.strategies.invalid import makers_for_rule

OPERATIONS = tuple(sorted(OPERATION_TABLE))
CALLERS = (MAIN, SECOND)

# Rules whose state the edge world does not hold: only their setup builds it.
NEEDS_SETUP = (
    "REBUILD_INSTANCE.IMAGE_SUPPORTS_TYPE", "REBUILD_INSTANCE.SQL_SERVER_MEMORY", "REBUILD_INSTANCE.SYSTEM_DISK_SIZE",
    "REBUILD_INSTANCE.WINDOWS_CPU", "MODIFY_INSTANCE_ATTRIBUTE.WINDOWS_HOSTNAME", "CREATE_INSTANCES.IMAGE_READY",
    "REBUILD_INSTANCE.IMAGE_READY", "CREATE_INSTANCES.QUOTA_CPU", "CREATE_INSTANCES.QUOTA_MEMORY",
    "REBOOT_INSTANCE.CHARGE_NORMAL", "START_INSTANCE.NO_TASK", "STOP_INSTANCE.NO_TASK", "REBOOT_INSTANCE.NO_TASK",
    "REBUILD_INSTANCE.NO_TASK", "DELETE_INSTANCE.NO_TASK", "CREATE_IMAGE.NO_TASK", "MODIFY_INSTANCE_PASSWORD.NO_TASK",
    "DELETE_INSTANCE.STATUS", "DETACH_DISK.DISK_NO_TASK", "REBUILD_INSTANCE.ORIGINAL_IMAGE_EXISTS",
)
# The edge world's instance in error serves these at the start; once it is gone, only their setup does.
NEEDS_SETUP_WITHOUT_ERROR = (
    "ATTACH_DISK.STATUS_RUNNING_OR_STOPPED", "DETACH_DISK.STATUS_RUNNING_OR_STOPPED",
    "ATTACH_NETWORK_INTERFACE.STATUS_RUNNING_OR_STOPPED", "DETACH_NETWORK_INTERFACE.STATUS_RUNNING_OR_STOPPED",
)
# Request-only rules the generated valid requests never come near: a maker gives the pair search its base.
NEEDS_MAKER = (*(f"CREATE_INSTANCES.{r}" for r in (
    "AG_EXISTS", "CHARGE_DURATION", "CHARGE_MODE", "CLOUD_SYSTEM_DISK_AUTO_DELETE", "DATA_DISK_AUTO_DELETE",
    "DATA_DISK_CATEGORY", "DATA_DISK_DEVICE_NAME", "DATA_DISK_SNAPSHOT_EXISTS", "DATA_DISK_SNAPSHOT_SIZE",
    "EIP_CHARGE_MODE", "KEY_LINUX_ONLY", "LOCAL_SYSTEM_DISK_AUTO_DELETE", "LOCAL_SYSTEM_DISK_SIZE", "NIC_AUTO_DELETE",
    "NIC_DESCRIPTION", "NIC_NAME", "ORDERED_NAME_RANGE", "PRIMARY_IP_FORMAT", "PRIMARY_IP_FREE",
    "PRIMARY_IP_IN_SUBNET", "PRIMARY_IP_SINGLE", "SANITY_CHECK", "SECURITY_GROUPS_EXIST", "SUBNET_REQUIRED",
    "SYSTEM_DISK_IMAGE_SIZE",
    "TEMPLATE_REQUIRED", "WINDOWS_HOSTNAME")),
    "REBUILD_INSTANCE.KEYPAIR_EXISTS", "REBUILD_INSTANCE.KEYPAIR_LINUX_ONLY", "REBUILD_INSTANCE.WINDOWS_HOSTNAME")
# Reachable only through what the edge world adds to the default one (a full subnet, a VPC without a default
# group, a group over two AZs, carol's subnet and unbilled instance): no request builds those states.
EDGE_WORLD_ONLY = ("CREATE_INSTANCES.AG_AZ", "CREATE_INSTANCES.DEFAULT_SECURITY_GROUP", "CREATE_INSTANCES.REAL_NAME",
                   "CREATE_INSTANCES.SUBNET_ADDRESSES", "DELETE_INSTANCE.BILLING_INFO")


def _aim(rule_id: str, seed: int = 0, *, without_error: bool = False) -> Lockstep:
    """A fresh lockstep from the edge world (its instance in error deleted first, with ``without_error``), and
    one sweep pair aimed at ``rule_id`` in it."""
    lock = Lockstep(InProcessAdapter())
    assert lock.start() is None
    if without_error:
        (broken,) = [i for i in lock.model.instances.values() if i.status == "error"]
        assert lock.request("deleteInstance", {"regionId": "cn-north-1", "instanceId": broken.instance_id},
                            broken.owner) is None
        assert lock.settle() is None and broken.instance_id not in lock.model.instances
    outcome = _once(seed, lambda data: send_pair(lock, data, rule_id, OPERATIONS, CALLERS))
    assert outcome is not None and outcome[1] is None, outcome
    return lock


def test_the_rule_lists_are_catalogue_rules_and_every_setup_is_registered() -> None:
    assert set(NEEDS_SETUP + NEEDS_SETUP_WITHOUT_ERROR + NEEDS_MAKER + EDGE_WORLD_ONLY) <= set(CATALOGUE)
    assert set(NEEDS_SETUP + NEEDS_SETUP_WITHOUT_ERROR) <= set(setups.SETUPS)
    assert {"CREATE_INSTANCES.QUOTA_CPU", "CREATE_INSTANCES.QUOTA_MEMORY", "REBOOT_INSTANCE.CHARGE_NORMAL",
            "START_INSTANCE.CHARGE_NORMAL", "RESIZE_INSTANCE.CHARGE_NORMAL",
            "DELETE_INSTANCE.BILLING_INFO"} == set(setups.LATE)


@pytest.mark.parametrize("rule_id", NEEDS_SETUP)
def test_a_setup_builds_the_state_its_rule_needs(rule_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert rule_id in _aim(rule_id).rules_hit
    monkeypatch.delitem(setups.SETUPS, rule_id)
    assert rule_id not in _aim(rule_id).rules_hit


@pytest.mark.parametrize("rule_id", NEEDS_SETUP_WITHOUT_ERROR)
def test_a_status_setup_leaves_an_instance_stopping(rule_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert rule_id in _aim(rule_id).rules_hit
    assert rule_id in _aim(rule_id, without_error=True).rules_hit
    monkeypatch.delitem(setups.SETUPS, rule_id)
    assert rule_id not in _aim(rule_id, without_error=True).rules_hit


@pytest.mark.parametrize("rule_id", NEEDS_MAKER)
@pytest.mark.parametrize("seed", [0, 1])
def test_a_request_only_rule_fires_from_its_maker(rule_id: str, seed: int) -> None:
    assert rule_id in _aim(rule_id, seed).rules_hit


def test_without_advance_the_expired_instance_setup_changes_nothing() -> None:
    class NoClock(InProcessAdapter):
        advance = None  # type: ignore[assignment]

    lock = Lockstep(NoClock())
    assert lock.start() is None and not lock.can_advance
    clock = lock.model.clock
    outcome = _once(0, lambda data: send_pair(lock, data, "REBOOT_INSTANCE.CHARGE_NORMAL", OPERATIONS, CALLERS))
    assert outcome is not None and outcome[1] is None
    assert lock.model.clock == clock and "REBOOT_INSTANCE.CHARGE_NORMAL" not in lock.rules_hit


@pytest.mark.parametrize("seed", [1, 2])
def test_the_sweep_of_every_run_fires_the_instance_rules_the_api_can_reach(seed: int) -> None:
    report = run_conformance(InProcessAdapter, steps=1, examples=1, seed=seed)  # the sweep, one short run
    assert report.ok, report.explanation
    every = NEEDS_SETUP + NEEDS_SETUP_WITHOUT_ERROR + NEEDS_MAKER + EDGE_WORLD_ONLY
    assert set(report.rules_never_hit).isdisjoint(every), report.rules_never_hit


@pytest.mark.parametrize("rule_id", sorted(AIMED_AS))
def test_carols_states_reach_the_rules_no_request_can(rule_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # her 2016 instance, encrypted disk, local system disk beside a storage type, unbilled instance, subnet
    lock = _aim(rule_id)
    assert rule_id in lock.rules_hit
    assert all(lock.model.instances.get(i) is None or lock.model.instances[i].owner == UNVERIFIED
               for i in ("i-zcarol2016", "i-zcarolencr", "i-zcarollocl", "i-zcarolnobl"))
    if rule_id == "RESIZE_INSTANCE.LOCAL_NO_STORAGE_FAMILY":
        # alice has local instances too: what no world had before is the storage type (carol's keeps it apart)
        assert not any(t.family in STORAGE_FAMILIES for t in World.default().instance_types.values())
        return
    monkeypatch.delitem(AIMED_AS, rule_id)  # aimed as alice and bob, who hold none of those states
    assert rule_id not in _aim(rule_id).rules_hit


def test_a_signing_adapter_without_carols_key_is_not_sent_her_pairs() -> None:
    class AliceAndBob(InProcessAdapter):
        callers = (MAIN, SECOND)

    lock = Lockstep(AliceAndBob())
    assert lock.start() is None
    outcome = _once(0, lambda data: send_pair(lock, data, "DELETE_INSTANCE.BILLING_INFO", OPERATIONS, CALLERS))
    assert outcome == (False, None) and lock.steps == 0



@pytest.mark.rule("CREATE_INSTANCES.AG_AZ")
def test_the_edge_world_makes_an_az_outside_an_availability_group_reachable() -> None:
    lock = Lockstep(InProcessAdapter())  # the edge world: one of alice's groups spans two of three AZs
    assert lock.start() is None
    found, divergence = _once(5, lambda data: send_pair(lock, data, "CREATE_INSTANCES.AG_AZ",
                                                       list(OPERATION_TABLE), (MAIN, SECOND)))
    assert found and divergence is None
    assert "CREATE_INSTANCES.AG_AZ" in lock.rules_hit
    (maker,) = makers_for_rule("createInstances", "CREATE_INSTANCES.AG_AZ")
    assert maker(World.default(), MAIN, "createInstances") is None  # its one group spans every AZ
    strategy = maker(lock.start_world, MAIN, "createInstances")
    assert strategy is not None
    params, _ = _once(0, lambda data: data.draw(strategy))
    assert [e.rule for e in check(lock.start_world, "createInstances", params)] == ["CREATE_INSTANCES.AG_AZ"]


def test_the_interface_status_setup_frees_an_interface_when_none_is_free(monkeypatch: pytest.MonkeyPatch) -> None:
    rule_id = "ATTACH_NETWORK_INTERFACE.STATUS_RUNNING_OR_STOPPED"

    def aim_with_every_interface_attached() -> Lockstep:
        lock = Lockstep(InProcessAdapter())
        assert lock.start() is None
        world = lock.model
        hosts = sorted((i for i in world.instances.values() if i.owner == MAIN and i.status in ("running", "stopped")
                        and i.subnet_id == "subnet-main00001a"), key=lambda i: i.instance_id)
        free = sorted(n.nic_id for n in world.network_interfaces.values() if n.owner == MAIN
                      and n.role == "Secondary" and not n.instance_id and n.subnet_id == "subnet-main00001a")
        attached = 0
        for nic in free:  # each on the first stopped instance that takes it (one with another AZ's IP fits none)
            params = next((p for host in hosts for p in [{"regionId": "cn-north-1", "instanceId": host.instance_id,
                                                          "networkInterfaceId": nic}]
                           if not check(lock.model, "attachNetworkInterface", p, caller=MAIN)), None)
            if params is not None:
                assert lock.request("attachNetworkInterface", params, MAIN) is None and lock.settle() is None
                attached += 1
        assert attached >= 3 and not any(
            not check(lock.model, "attachNetworkInterface", {"regionId": "cn-north-1", "instanceId": h.instance_id,
                                                            "networkInterfaceId": n}, caller=MAIN)
            for h in hosts for n in free)
        (broken,) = [i for i in lock.model.instances.values() if i.status == "error"]
        assert lock.request("deleteInstance", {"regionId": "cn-north-1", "instanceId": broken.instance_id},
                            broken.owner) is None and lock.settle() is None
        outcome = _once(0, lambda data: send_pair(lock, data, rule_id, OPERATIONS, CALLERS))
        assert outcome is not None and outcome[1] is None
        return lock

    assert rule_id in aim_with_every_interface_attached().rules_hit


@pytest.mark.parametrize("rule_id", ["START_INSTANCE.CHARGE_NORMAL", "RESIZE_INSTANCE.CHARGE_NORMAL"])
def test_the_charge_setups_hand_over_a_stopped_instance_in_arrears_and_one_expired(rule_id: str) -> None:
    lock = Lockstep(InProcessAdapter())
    assert lock.start() is None
    built = _once(0, lambda data: setups.SETUPS[rule_id](lock, data, MAIN, rule_id))
    assert built is not None and built[1] is None
    clock = lock.model.clock
    states = set()
    for params in built[0]:
        inst = lock.model.instances[params["instanceId"]]
        assert inst.status == "stopped" and inst.charge is not None
        states.add(inst.charge.effective_status(clock))
    assert states == {"arrear", "overdue"}
