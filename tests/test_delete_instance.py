"""deleteInstance: billing, status and task gates; what goes with the instance and what is kept."""

from __future__ import annotations

from dataclasses import replace

import pytest
from helpers import instance, ok, refused, run

from vmrules import World, advance, settle
from vmrules.builders import DataDiskPlan, add_disk, bind_elastic_ip
from vmrules.model import Charge, DiskAttachment, InstanceDisk
from vmrules.usage import recount_usage

DAY = 86400


def attach_disk(world: World, iid: str, disk_id: str, device: str, *, auto_delete: bool = True) -> World:
    """Attach an existing disk to an instance directly (no rules), as attachDisk would leave it."""
    inst = world.instances[iid]
    disk = world.disks[disk_id]
    disk = replace(disk, status="in-use", attachments=(*disk.attachments, DiskAttachment(iid, "attached")))
    inst = replace(inst, data_disks=(*inst.data_disks, InstanceDisk(disk_id, device, auto_delete)))
    return world.evolve(disks=world.disks.set(disk_id, disk), instances=world.instances.set(iid, inst))


def attach_nic(world: World, iid: str, nic_id: str, index: int, *, auto_delete: bool) -> World:
    """Attach an existing secondary interface to an instance directly (no rules)."""
    inst = world.instances[iid]
    nic = replace(world.network_interfaces[nic_id], instance_id=iid, device_index=index, auto_delete=auto_delete)
    world = world.evolve(network_interfaces=world.network_interfaces.set(nic_id, nic),
                         instances=world.instances.set(iid, replace(inst, secondary_nic_ids=(
                             *inst.secondary_nic_ids, nic_id))))
    if nic.elastic_ip_id:
        eip = replace(world.elastic_ips[nic.elastic_ip_id], instance_id=iid)
        world = world.evolve(elastic_ips=world.elastic_ips.set(eip.elastic_ip_id, eip))
    return world


@pytest.mark.rule("DELETE_INSTANCE.BILLING_INFO")
def test_instance_without_billing_info_cannot_be_deleted(world: World) -> None:
    iid, world = instance(world)
    no_billing = world.evolve(instances=world.instances.set(iid, replace(world.instances[iid], charge=None)))
    refused(run(no_billing, "deleteInstance", instanceId=iid), "DELETE_INSTANCE.BILLING_INFO", "PERMISSION_DENIED")
    ok(run(world, "deleteInstance", instanceId=iid))


@pytest.mark.rule("DELETE_INSTANCE.PREPAID_EXPIRED")
def test_unexpired_prepaid_instance_cannot_be_deleted(world: World) -> None:
    prepaid = Charge("prepaid_by_duration", "normal", world.clock, world.clock + 30 * DAY)
    iid, world = instance(world, charge=prepaid)
    refused(run(world, "deleteInstance", instanceId=iid), "DELETE_INSTANCE.PREPAID_EXPIRED", "FAILED_PRECONDITION")
    refused(run(advance(world, 30 * DAY - 1), "deleteInstance", instanceId=iid), "DELETE_INSTANCE.PREPAID_EXPIRED",
            "FAILED_PRECONDITION")
    expired = advance(world, 30 * DAY)
    gone = settle(ok(run(expired, "deleteInstance", instanceId=iid)))
    assert iid not in gone.instances


@pytest.mark.rule("DELETE_INSTANCE.PREPAID_EXPIRED")
def test_recorded_overdue_prepaid_and_postpaid_instances_can_be_deleted(world: World) -> None:
    iid, world = instance(world, charge=Charge("prepaid_by_duration", "overdue", world.clock, None))
    ok(run(world, "deleteInstance", instanceId=iid))
    jid, world = instance(world, charge=Charge("postpaid_by_duration", "arrear", world.clock))
    ok(run(world, "deleteInstance", instanceId=jid))
    kid, world = instance(world, charge=Charge("prepaid_by_duration", "normal", world.clock, None))
    refused(run(world, "deleteInstance", instanceId=kid), "DELETE_INSTANCE.PREPAID_EXPIRED", "FAILED_PRECONDITION")


@pytest.mark.rule("DELETE_INSTANCE.STATUS")
@pytest.mark.parametrize("status", ["running", "stopped", "error"])
def test_delete_from_running_stopped_or_error(world: World, status: str) -> None:
    iid, world = instance(world, status=status)
    deleting = ok(run(world, "deleteInstance", instanceId=iid))
    assert deleting.instances[iid].status == "deleting"
    assert deleting.tasks[iid].kind == "deleteInstance"


@pytest.mark.rule("DELETE_INSTANCE.STATUS")
@pytest.mark.parametrize("status", ["pending", "starting", "stopping", "rebooting", "resizing", "deleting"])
def test_delete_refused_in_other_statuses(world: World, status: str) -> None:
    iid, world = instance(world)
    odd = world.evolve(instances=world.instances.set(iid, replace(world.instances[iid], status=status)))
    refused(run(odd, "deleteInstance", instanceId=iid), "DELETE_INSTANCE.STATUS", "FAILED_PRECONDITION")


@pytest.mark.rule("DELETE_INSTANCE.NO_TASK")
def test_delete_refused_while_a_task_runs(world: World) -> None:
    iid, world = instance(world)
    refused(run(world.with_task(iid, "attachDisk"), "deleteInstance", instanceId=iid), "DELETE_INSTANCE.NO_TASK",
            "FAILED_PRECONDITION")
    ok(run(world, "deleteInstance", instanceId=iid))


def test_second_delete_is_refused_while_deleting(world: World) -> None:
    iid, world = instance(world)
    deleting = ok(run(world, "deleteInstance", instanceId=iid))
    refused(run(deleting, "deleteInstance", instanceId=iid), "DELETE_INSTANCE.STATUS", "FAILED_PRECONDITION")
    refused(run(settle(deleting), "deleteInstance", instanceId=iid), "INSTANCE.EXISTS", "NOT_FOUND")


def test_foreign_instance_is_not_found(world: World) -> None:
    iid, world = instance(world)
    refused(run(world, "deleteInstance", caller="bob", instanceId=iid), "INSTANCE.EXISTS", "NOT_FOUND")


@pytest.mark.effect("DELETE_INSTANCE.REMOVES_AUTO_DELETE_DISKS", "DELETE_INSTANCE.KEEPS_OTHER_DISKS")
def test_disks_that_go_and_disks_that_stay(world: World) -> None:
    iid, world = instance(world, data_disks=[DataDiskPlan("ssd", 50), DataDiskPlan("premium-hdd", 100,
                                                                                   auto_delete=False)])
    world = attach_disk(world, iid, "vol-shared00001", "vdd")  # shared: kept although autoDelete
    world = attach_disk(world, iid, "vol-prepaid0001", "vde")  # prepaid: kept although autoDelete
    usage, world = add_disk(world, owner="alice", region="cn-north-1", az="cn-north-1a", disk_type="ssd",
                            size_gb=20, charge=Charge("postpaid_by_usage"))
    world = attach_disk(world, iid, usage, "vdf")  # billed by usage: kept although autoDelete
    # (the operations refuse autoDelete true on these three, and the world's invariants refuse such a world;
    # deleteInstance keeps them all the same: consistency.auto_deletable is the one definition)
    inst = world.instances[iid]
    system_id = inst.system_disk.disk_id
    auto, manual = inst.data_disks[0].disk_id, inst.data_disks[1].disk_id
    after = settle(ok(run(world, "deleteInstance", instanceId=iid)))
    assert iid not in after.instances
    assert system_id not in after.disks and auto not in after.disks
    for kept in (manual, "vol-shared00001", "vol-prepaid0001", usage):
        assert after.disks[kept].status == "available"
        assert after.disks[kept].attachments == ()
    assert inst.primary_nic_id not in after.network_interfaces


@pytest.mark.effect("DELETE_INSTANCE.KEEPS_OTHER_DISKS")
def test_shared_disk_attached_elsewhere_stays_in_use(world: World) -> None:
    iid, world = instance(world)
    jid, world = instance(world)
    world = attach_disk(world, iid, "vol-shared00001", "vdb")
    world = attach_disk(world, jid, "vol-shared00001", "vdb")
    after = settle(ok(run(world, "deleteInstance", instanceId=iid)))
    disk = after.disks["vol-shared00001"]
    assert disk.status == "in-use" and [a.instance_id for a in disk.attachments] == [jid]


def test_system_disk_without_auto_delete_is_kept(world: World) -> None:
    iid, world = instance(world, system_disk_auto_delete=False)
    system_id = world.instances[iid].system_disk.disk_id
    assert system_id is not None
    after = settle(ok(run(world, "deleteInstance", instanceId=iid)))
    assert after.disks[system_id].status == "available"


def test_local_system_disk_instance(world: World) -> None:
    iid, world = instance(world, system_disk="local", image_id="img-centos7lcl")
    after = settle(ok(run(world, "deleteInstance", instanceId=iid)))
    assert iid not in after.instances


@pytest.mark.effect("DELETE_INSTANCE.REMOVES_INTERFACES", "DELETE_INSTANCE.KEEPS_ELASTIC_IPS")
def test_interfaces_and_elastic_ips(world: World) -> None:
    iid, world = instance(world)
    primary = world.instances[iid].primary_nic_id
    world = bind_elastic_ip(world, "fip-free00001a", primary)
    world = attach_nic(world, iid, "port-eniallip01", 2, auto_delete=True)  # carries fip-onnic00all
    world = attach_nic(world, iid, "port-eniplain01", 3, auto_delete=False)
    after = settle(ok(run(world, "deleteInstance", instanceId=iid)))
    assert primary not in after.network_interfaces and "port-eniallip01" not in after.network_interfaces
    kept = after.network_interfaces["port-eniplain01"]
    assert kept.instance_id is None and kept.device_index == 0
    for eip_id in ("fip-free00001a", "fip-onnic00all"):
        eip = after.elastic_ips[eip_id]
        assert (eip.nic_id, eip.instance_id, eip.private_ip) == (None, None, None)


def test_elastic_ip_on_a_kept_interface_stays_on_it(world: World) -> None:
    iid, world = instance(world)
    world = attach_nic(world, iid, "port-eni1beip01", 2, auto_delete=False)
    after = settle(ok(run(world, "deleteInstance", instanceId=iid)))
    eip = after.elastic_ips["fip-onnic0001b"]
    assert eip.nic_id == "port-eni1beip01" and eip.instance_id is None


@pytest.mark.effect("DELETE_INSTANCE.KEEPS_ELASTIC_IPS")
def test_release_primary_elastic_ip_on_request(world: World) -> None:
    iid, world = instance(world)
    world = bind_elastic_ip(world, "fip-free00001a", world.instances[iid].primary_nic_id)
    after = settle(ok(run(world, "deleteInstance", instanceId=iid, deletePrimaryNetworkInterfaceAllElasticIp=True)))
    assert "fip-free00001a" not in after.elastic_ips
    kept = settle(ok(run(world, "deleteInstance", instanceId=iid, deletePrimaryNetworkInterfaceAllElasticIp=False)))
    assert "fip-free00001a" in kept.elastic_ips


def test_usage_counters_drop(world: World) -> None:
    iid, world = instance(world, instance_type="g.n2.large")
    owner, region = world.default_account, "cn-north-1"
    before = [world.used(owner, region, t) for t in ("instance", "instance_cpu", "instance_memory")]
    after = settle(ok(run(world, "deleteInstance", instanceId=iid)))
    assert [after.used(owner, region, t) for t in ("instance", "instance_cpu", "instance_memory")] == [
        before[0] - 1, before[1] - 4, before[2] - 16]
    assert after.usage == recount_usage(after)


def test_wrong_flag_type_is_invalid_argument(world: World) -> None:
    iid, world = instance(world)
    out = run(world, "deleteInstance", instanceId=iid, deletePrimaryNetworkInterfaceAllElasticIp="yes")
    assert out.error is not None and out.error.status == "INVALID_ARGUMENT"
    assert out.error.field == "deletePrimaryNetworkInterfaceAllElasticIp"
