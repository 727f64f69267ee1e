"""The scenario of issue 3 through ``execute``: data-disk limits, detach and re-attach, attaching while
stopping, elastic IP association, resize across generations; the world's invariants checked after each step."""

from __future__ import annotations

from typing import Any

from helpers import instance, ok, refused, run

from vmrules import World, settle
from vmrules.builders import add_disk
from vmrules.operations.disks import DATA_DISK_LIMIT, MULTI_ATTACH_LIMIT
from vmrules.usage import recount_usage

DEFAULT_DISKS = ("vol-ssd0000001", "vol-ssd0000002", "vol-ssd0000003", "vol-ssd0000004", "vol-ssd0000005",
                 "vol-hdd0000001", "vol-hdd0000002", "vol-hdd0000003", "vol-hdd0000004", "vol-hdd0000005")


def check_invariants(world: World) -> None:
    """The invariants of issue 3: attachments are mirrored on both sides and within their limits, an elastic
    IP serves one interface, interface counts fit the instance type, every reference resolves."""
    for disk in world.disks.values():
        holders = [a.instance_id for a in disk.attachments]
        assert len(holders) == len(set(holders)), disk
        assert len(holders) <= (MULTI_ATTACH_LIMIT if disk.multi_attachable else 1), disk
        for a in disk.attachments:
            inst = world.instances.get(a.instance_id)
            assert inst is not None, (disk.disk_id, a)
            mine = [d for d in inst.data_disks if d.disk_id == disk.disk_id]
            assert inst.system_disk.disk_id == disk.disk_id or len(mine) == 1, (disk.disk_id, inst.instance_id)
            if mine:
                assert mine[0].status == a.status, (disk.disk_id, mine[0], a)
        if any(a.status == "attached" for a in disk.attachments):
            assert disk.status == "in-use", disk
        if not disk.attachments:
            assert disk.status != "in-use", disk
    for inst in world.instances.values():
        assert len(inst.data_disks) <= DATA_DISK_LIMIT[inst.system_disk.category], inst
        names = [d.device_name for d in inst.data_disks]
        assert len(names) == len(set(names)) and "vda" not in names, inst
        for d in inst.data_disks:
            disk = world.disks.get(d.disk_id)
            assert disk is not None and inst.instance_id in [a.instance_id for a in disk.attachments], d
        itype = world.instance_types[inst.instance_type]
        assert 1 + len(inst.secondary_nic_ids) <= itype.nic_limit, inst
        primary = world.network_interfaces[inst.primary_nic_id]
        assert (primary.instance_id, primary.role) == (inst.instance_id, "Primary")
        indexes = []
        for nic_id in inst.secondary_nic_ids:
            nic = world.network_interfaces[nic_id]
            assert (nic.instance_id, nic.role) == (inst.instance_id, "Secondary")
            indexes.append(nic.device_index)
        assert len(indexes) == len(set(indexes)) and all(2 <= i <= 8 for i in indexes), inst
    for nic in world.network_interfaces.values():
        if nic.instance_id is not None:
            inst = world.instances[nic.instance_id]
            assert nic.nic_id == inst.primary_nic_id or nic.nic_id in inst.secondary_nic_ids, nic
        if nic.elastic_ip_id is not None:
            assert world.elastic_ips[nic.elastic_ip_id].nic_id == nic.nic_id, nic
    for eip in world.elastic_ips.values():
        if eip.nic_id is None:
            assert eip.instance_id is None and eip.private_ip is None, eip
            continue
        nic = world.network_interfaces[eip.nic_id]
        assert nic.elastic_ip_id == eip.elastic_ip_id, eip
        assert (eip.instance_id, eip.private_ip) == (nic.instance_id, nic.private_ip), eip
    for task in world.tasks.values():
        assert task.resource_id in world.instances or task.resource_id in world.disks, task
    assert world.usage == recount_usage(world)


def step(world: World, operation: str, **params: Any) -> World:
    """Execute, settle and check the invariants (also between the operation and its completion)."""
    out = ok(run(world, operation, **params))
    check_invariants(out)
    done = settle(out)
    check_invariants(done)
    return done


def test_issue_3_scenario(world: World) -> None:
    check_invariants(world)

    # A running instance with a cloud system disk takes 7 data disks; the 8th names the limit 7.
    cloud, world = instance(world, name="cloud-vm")
    for disk_id in DEFAULT_DISKS[:7]:
        world = step(world, "attachDisk", instanceId=cloud, diskId=disk_id)
    assert [d.device_name for d in world.instances[cloud].data_disks] == [
        "vdb", "vdc", "vdd", "vde", "vdf", "vdg", "vdh"]
    eighth = run(world, "attachDisk", instanceId=cloud, diskId=DEFAULT_DISKS[7])
    refused(eighth, "ATTACH_DISK.DATA_DISK_LIMIT", "FAILED_PRECONDITION")
    assert eighth.error is not None and "at most 7" in eighth.error.message and eighth.world is world

    # A local-system-disk instance takes 8; the 9th names the limit 8.
    spare = list(DEFAULT_DISKS[7:])
    for n in range(6):
        disk_id, world = add_disk(world, owner="alice", region="cn-north-1", az="cn-north-1a", disk_type="ssd",
                                  size_gb=20 + 10 * n)
        spare.append(disk_id)
    local, world = instance(world, name="local-vm", system_disk="local", image_id="img-centos7lcl",
                            instance_type="g.n2.medium")
    for disk_id in spare[:8]:
        world = step(world, "attachDisk", instanceId=local, diskId=disk_id)
    ninth = run(world, "attachDisk", instanceId=local, diskId=spare[8])
    refused(ninth, "ATTACH_DISK.DATA_DISK_LIMIT", "FAILED_PRECONDITION")
    assert ninth.error is not None and "at most 8" in ninth.error.message

    # Detach one, and the freed place (and device name) can be used again.
    freed = world.instances[cloud].data_disks[2]
    world = step(world, "detachDisk", instanceId=cloud, diskId=freed.disk_id)
    assert world.disks[freed.disk_id].status == "available" and len(world.instances[cloud].data_disks) == 6
    world = step(world, "attachDisk", instanceId=cloud, diskId=spare[8])
    assert world.instances[cloud].data_disks[-1].device_name == freed.device_name
    world = step(world, "detachDisk", instanceId=cloud, diskId=spare[8])
    world = step(world, "attachDisk", instanceId=cloud, diskId=freed.disk_id)
    assert len(world.instances[cloud].data_disks) == 7

    # Attaching while the instance is stopping fails on its status.
    stopping = ok(run(world, "stopInstance", instanceId=cloud))
    assert stopping.instances[cloud].status == "stopping"
    refused(run(stopping, "attachDisk", instanceId=cloud, diskId=spare[8]),
            "ATTACH_DISK.STATUS_RUNNING_OR_STOPPED", "FAILED_PRECONDITION")
    world = settle(stopping)
    check_invariants(world)

    # Elastic IP: associate, a second one fails, disassociate, associate again.
    world = step(world, "associateElasticIp", instanceId=cloud, elasticIpId="fip-free00001a")
    refused(run(world, "associateElasticIp", instanceId=cloud, elasticIpId="fip-free000all"),
            "ASSOCIATE_ELASTIC_IP.ONE_PER_INSTANCE", "FAILED_PRECONDITION")
    refused(run(world, "associateElasticIp", instanceId=local, elasticIpId="fip-free00001a"),
            "ASSOCIATE_ELASTIC_IP.NOT_BOUND", "FAILED_PRECONDITION")
    world = step(world, "disassociateElasticIp", instanceId=cloud, elasticIpId="fip-free00001a")
    world = step(world, "associateElasticIp", instanceId=cloud, elasticIpId="fip-free000all")
    assert world.network_interfaces[world.instances[cloud].primary_nic_id].elastic_ip_id == "fip-free000all"

    # A secondary interface comes and goes within the type's limit.
    world = step(world, "attachNetworkInterface", instanceId=cloud, networkInterfaceId="port-eniplain01")
    refused(run(world, "attachNetworkInterface", instanceId=cloud, networkInterfaceId="port-eniplain02"),
            "ATTACH_NETWORK_INTERFACE.NIC_LIMIT", "FAILED_PRECONDITION")
    world = step(world, "detachNetworkInterface", instanceId=cloud, networkInterfaceId="port-eniplain01")

    # Resize the local-system-disk generation-2 instance: generation 1 fails; another generation-2 type
    # succeeds once the instance is stopped.
    refused(run(world, "resizeInstance", instanceId=local, instanceType="g.n1.medium"),
            "RESIZE_INSTANCE.GENERATION_LOCAL_SYSTEM_DISK", "INVALID_ARGUMENT")
    refused(run(world, "resizeInstance", instanceId=local, instanceType="g.n2.large"),
            "RESIZE_INSTANCE.STATUS_STOPPED", "FAILED_PRECONDITION")
    world = step(world, "stopInstance", instanceId=local)
    world = step(world, "resizeInstance", instanceId=local, instanceType="g.n2.large")
    inst = world.instances[local]
    assert (inst.status, inst.instance_type, len(inst.data_disks)) == ("stopped", "g.n2.large", 8)
