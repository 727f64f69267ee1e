"""resizeInstance and rebuildInstance: one passing and one failing example per rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from helpers import instance, ok, refused, run

from vmrules import World, advance, settle
from vmrules.builders import add_account, add_disk, add_image
from vmrules.defaults import DEFAULT_QUOTAS
from vmrules.ids import password_digest
from vmrules.model import AzStock, Charge, Image, InstanceType
from vmrules.usage import recount_usage

FA = "FAILED_PRECONDITION"
IA = "INVALID_ARGUMENT"
NF = "NOT_FOUND"
QE = "QUOTA_EXCEEDED"
PASSWORD = "Tz9!mQ4#vR"
IN_2016 = int(datetime(2016, 6, 1, tzinfo=UTC).timestamp())
IN_2017 = int(datetime(2017, 6, 1, tzinfo=UTC).timestamp())


def stopped(world: World, **kw: Any) -> tuple[str, World]:
    return instance(world, status="stopped", **kw)


def local(world: World, **kw: Any) -> tuple[str, World]:
    return stopped(world, system_disk="local", image_id="img-centos7lcl", **kw)


def resize(world: World, iid: str, to: str) -> Any:
    return run(world, "resizeInstance", instanceId=iid, instanceType=to)


def with_type(world: World, itype: InstanceType) -> World:
    return world.evolve(instance_types=world.instance_types.set(itype.instance_type, itype))


# ---- resizeInstance ---------------------------------------------------------------------------------


def test_resize_goes_resizing_then_stopped_and_updates_usage(world: World) -> None:
    iid, world = stopped(world, instance_type="g.n2.medium")
    before = (world.used("alice", "cn-north-1", "instance_cpu"), world.used("alice", "cn-north-1", "instance_memory"))
    out = ok(resize(world, iid, "g.n2.large"))
    inst = out.instances[iid]
    assert (inst.status, inst.instance_type, out.busy(iid)) == ("resizing", "g.n2.large", True)
    after = (out.used("alice", "cn-north-1", "instance_cpu"), out.used("alice", "cn-north-1", "instance_memory"))
    assert (after[0] - before[0], after[1] - before[1]) == (2, 8)
    assert out.usage == recount_usage(out)
    done = settle(out)
    assert done.instances[iid].status == "stopped" and not done.tasks
    smaller = settle(ok(resize(done, iid, "g.n2.medium")))
    assert smaller.usage == recount_usage(smaller) == world.usage


@pytest.mark.rule("RESIZE_INSTANCE.TYPE_EXISTS")
def test_resize_to_unknown_type(world: World) -> None:
    iid, world = stopped(world)
    refused(resize(world, iid, "g.n9.enormous"), "RESIZE_INSTANCE.TYPE_EXISTS", NF)
    ok(resize(world, iid, "g.n2.large"))


@pytest.mark.rule("RESIZE_INSTANCE.SAME_TYPE")
def test_resize_to_same_type(world: World) -> None:
    iid, world = stopped(world, instance_type="g.n2.medium")
    out = resize(world, iid, "g.n2.medium")
    refused(out, "RESIZE_INSTANCE.SAME_TYPE", IA)
    assert out.error is not None and "already has instance type g.n2.medium" in out.error.message
    ok(resize(world, iid, "g.n2.large"))


@pytest.mark.effect("RESIZE_INSTANCE.CHANGES_GENERATION")
@pytest.mark.rule("RESIZE_INSTANCE.GENERATION_CREATED_2016")
def test_cloud_instance_of_2016_keeps_its_generation(world: World) -> None:
    old, world = stopped(world, launch_time=IN_2016)
    refused(resize(world, old, "g.n1.medium"), "RESIZE_INSTANCE.GENERATION_CREATED_2016", IA)
    ok(resize(world, old, "g.n2.large"))
    newer, world = stopped(world, launch_time=IN_2017)
    ok(resize(world, newer, "g.n1.medium"))  # other cloud-system-disk instances may change generation


@pytest.mark.rule("RESIZE_INSTANCE.GENERATION_LOCAL_SYSTEM_DISK")
def test_local_instance_keeps_its_generation(world: World) -> None:
    iid, world = local(world, instance_type="g.n2.medium")
    out = resize(world, iid, "g.n1.medium")
    refused(out, "RESIZE_INSTANCE.GENERATION_LOCAL_SYSTEM_DISK", IA)
    assert out.error is not None and "generation 2" in out.error.message
    ok(resize(world, iid, "g.n2.large"))


@pytest.mark.rule("RESIZE_INSTANCE.GENERATION_AVAILABILITY_GROUP")
def test_availability_group_instance_keeps_its_generation(world: World) -> None:
    iid, world = stopped(world, ag_id="ag-web00000001")
    refused(resize(world, iid, "g.n1.medium"), "RESIZE_INSTANCE.GENERATION_AVAILABILITY_GROUP", IA)
    ok(resize(world, iid, "g.n2.large"))


@pytest.mark.rule("RESIZE_INSTANCE.LOCAL_NO_STORAGE_FAMILY")
def test_local_instance_cannot_move_to_storage_family(world: World) -> None:
    world = with_type(world, InstanceType("s.d2.xlarge", "s.d2", 2, 4, 16384, 3,
                                          state=(AzStock("cn-north-1a", True),)))
    iid, world = local(world)
    refused(resize(world, iid, "s.d2.xlarge"), "RESIZE_INSTANCE.LOCAL_NO_STORAGE_FAMILY", IA)
    jid, world = stopped(world)
    ok(resize(world, jid, "s.d2.xlarge"))


@pytest.mark.rule("RESIZE_INSTANCE.IMAGE_SUPPORTS_TYPE")
def test_resize_needs_image_support(world: World) -> None:
    iid, world = stopped(world, image_id="img-ubuntu18cd")
    refused(resize(world, iid, "g.n1.large"), "RESIZE_INSTANCE.IMAGE_SUPPORTS_TYPE", IA)
    ok(resize(world, iid, "g.n2.large"))


@pytest.mark.rule("RESIZE_INSTANCE.STATUS_STOPPED")
def test_resize_needs_stopped(world: World) -> None:
    iid, world = instance(world)
    refused(resize(world, iid, "g.n2.large"), "RESIZE_INSTANCE.STATUS_STOPPED", FA)
    world = settle(ok(run(world, "stopInstance", instanceId=iid)))
    ok(resize(world, iid, "g.n2.large"))


@pytest.mark.rule("RESIZE_INSTANCE.NO_TASK")
def test_resize_refused_while_busy(world: World) -> None:
    iid, world = stopped(world)
    busy = ok(run(world, "attachDisk", instanceId=iid, diskId="vol-ssd0000001"))
    refused(resize(busy, iid, "g.n2.large"), "RESIZE_INSTANCE.NO_TASK", FA)
    ok(resize(settle(busy), iid, "g.n2.large"))


@pytest.mark.rule("RESIZE_INSTANCE.CHARGE_NORMAL")
def test_resize_refused_in_arrears_or_expired(world: World) -> None:
    iid, world = stopped(world, charge=Charge("postpaid_by_duration", "arrear"))
    refused(resize(world, iid, "g.n2.large"), "RESIZE_INSTANCE.CHARGE_NORMAL", FA)
    expiring = Charge("prepaid_by_duration", "normal", world.clock, world.clock + 100)
    jid, world = stopped(world, charge=expiring)
    ok(resize(world, jid, "g.n2.large"))
    refused(resize(advance(world, 100), jid, "g.n2.large"), "RESIZE_INSTANCE.CHARGE_NORMAL", FA)


@pytest.mark.rule("RESIZE_INSTANCE.TYPE_OFFLINE")
def test_resize_to_offline_type(world: World) -> None:
    iid, world = stopped(world, instance_type="g.n1.medium", launch_time=IN_2017)
    refused(resize(world, iid, "g.n1.small"), "RESIZE_INSTANCE.TYPE_OFFLINE", FA)
    ok(resize(world, iid, "g.n1.large"))


@pytest.mark.rule("RESIZE_INSTANCE.TYPE_IN_STOCK")
def test_resize_to_sold_out_or_unoffered_type(world: World) -> None:
    iid, world = stopped(world)
    refused(resize(world, iid, "g.n2.4xlarge"), "RESIZE_INSTANCE.TYPE_IN_STOCK", FA)  # sold out in 1a
    world = with_type(world, InstanceType("g.n2.east", "g.n2", 2, 4, 16384, 3, state=(AzStock("cn-east-2a", True),)))
    out = resize(world, iid, "g.n2.east")
    refused(out, "RESIZE_INSTANCE.TYPE_IN_STOCK", FA)
    assert out.error is not None and "not offered" in out.error.message
    jid, world = stopped(world, az="cn-north-1b", subnet_id="subnet-main00001b")
    ok(resize(world, jid, "g.n2.4xlarge"))


@pytest.mark.rule("RESIZE_INSTANCE.ENCRYPTED_DISK_GENERATION_1")
def test_encrypted_disk_keeps_instance_off_generation_1(world: World) -> None:
    disk_id, world = add_disk(world, owner="alice", region="cn-north-1", az="cn-north-1a", disk_type="ssd",
                              size_gb=50)
    world = world.evolve(disks=world.disks.set(disk_id, replace(world.disks[disk_id], encrypted=True)))
    iid, world = stopped(world)
    ok(resize(world, iid, "g.n1.large"))
    world = settle(ok(run(world, "attachDisk", instanceId=iid, diskId=disk_id)))
    refused(resize(world, iid, "g.n1.large"), "RESIZE_INSTANCE.ENCRYPTED_DISK_GENERATION_1", FA)
    ok(resize(world, iid, "g.n2.large"))


@pytest.mark.rule("RESIZE_INSTANCE.NIC_LIMIT")
def test_resize_needs_room_for_the_interfaces(world: World) -> None:
    iid, world = stopped(world, instance_type="g.n2.large")  # nicLimit 3
    for nic in ("port-eniplain01", "port-eniplain02"):
        world = ok(run(world, "attachNetworkInterface", instanceId=iid, networkInterfaceId=nic))
    out = resize(world, iid, "g.n2.medium")  # nicLimit 2
    refused(out, "RESIZE_INSTANCE.NIC_LIMIT", FA)
    assert out.error is not None and "3 network interfaces" in out.error.message
    ok(resize(world, iid, "g.n2.xlarge"))


def _quotas(world: World, **limits: int) -> World:
    quotas = [(name, limits.get(name, limit)) for name, limit in DEFAULT_QUOTAS]
    return add_account(world, "alice", quotas=quotas)


@pytest.mark.rule("RESIZE_INSTANCE.CPU_QUOTA")
def test_resize_within_cpu_quota(world: World) -> None:
    iid, world = stopped(world, instance_type="g.n2.medium")  # 2 vCPUs
    world = _quotas(world, instance_cpu=4)
    refused(resize(world, iid, "g.n2.xlarge"), "RESIZE_INSTANCE.CPU_QUOTA", QE)  # 8 vCPUs
    ok(resize(world, iid, "g.n2.large"))  # 4 vCPUs


@pytest.mark.rule("RESIZE_INSTANCE.MEMORY_QUOTA")
def test_resize_within_memory_quota(world: World) -> None:
    iid, world = stopped(world, instance_type="g.n2.medium")  # 8 GB
    world = _quotas(world, instance_memory=20)
    refused(resize(world, iid, "m.n2.large"), "RESIZE_INSTANCE.MEMORY_QUOTA", QE)  # 32 GB
    ok(resize(world, iid, "g.n2.large"))  # 16 GB


# ---- rebuildInstance --------------------------------------------------------------------------------


def rebuild(world: World, iid: str, **params: Any) -> Any:
    return run(world, "rebuildInstance", instanceId=iid, **params)


@pytest.mark.effect("REBUILD_INSTANCE.ORIGINAL_IMAGE_DEFAULT")
def test_rebuild_goes_rebuilding_then_stopped(world: World) -> None:
    iid, world = stopped(world, key_names=["alice-key"])
    out = ok(rebuild(world, iid, imageId="img-ubuntu18cd", password=PASSWORD, hostname="web-01"))
    inst = out.instances[iid]
    assert (inst.status, inst.image_id, inst.hostname, inst.key_names) == (
        "rebuilding", "img-ubuntu18cd", "web-01", ("alice-key",))
    assert inst.password_digest == password_digest(PASSWORD) and out.busy(iid)
    done = settle(out)
    assert done.instances[iid].status == "stopped" and done.instances[iid].image_id == "img-ubuntu18cd"
    same = settle(ok(rebuild(done, iid)))  # no imageId: the current image
    assert same.instances[iid].image_id == "img-ubuntu18cd"
    assert same.instances[iid].password_digest == password_digest(PASSWORD)


@pytest.mark.rule("REBUILD_INSTANCE.PASSWORD")
def test_rebuild_password_rules(world: World) -> None:
    iid, world = stopped(world)
    out = rebuild(world, iid, password="abc")
    refused(out, "REBUILD_INSTANCE.PASSWORD", IA)
    assert out.error is not None and out.error.field == "password"
    ok(rebuild(world, iid, password=PASSWORD))


@pytest.mark.rule("REBUILD_INSTANCE.SINGLE_KEY")
def test_rebuild_takes_one_key(world: World) -> None:
    iid, world = stopped(world)
    refused(rebuild(world, iid, keyNames=["alice-key", "ops-key"]), "REBUILD_INSTANCE.SINGLE_KEY", IA)
    out = ok(rebuild(world, iid, keyNames=["ops-key"]))
    assert out.instances[iid].key_names == ("ops-key",)


@pytest.mark.rule("REBUILD_INSTANCE.HOSTNAME")
def test_rebuild_hostname_rules(world: World) -> None:
    iid, world = stopped(world)
    refused(rebuild(world, iid, hostname="-web"), "REBUILD_INSTANCE.HOSTNAME", IA)
    ok(rebuild(world, iid, hostname="web.example"))


@pytest.mark.rule("REBUILD_INSTANCE.IMAGE_EXISTS")
def test_rebuild_unknown_image(world: World) -> None:
    iid, world = stopped(world)
    refused(rebuild(world, iid, imageId="img-nothere000"), "REBUILD_INSTANCE.IMAGE_EXISTS", NF)
    refused(rebuild(world, iid, imageId="img-centos7ea2"), "REBUILD_INSTANCE.IMAGE_EXISTS", NF)  # other region
    ok(rebuild(world, iid, imageId="img-centos7cld"))


@pytest.mark.rule("REBUILD_INSTANCE.ORIGINAL_IMAGE_EXISTS")
def test_rebuild_from_deleted_original_image(world: World) -> None:
    private = replace(world.images["img-centos7cld"], image_id="img-mine000001", owner="alice", source="private")
    world = add_image(world, private)
    iid, world = stopped(world, image_id="img-mine000001")
    gone = world.evolve(images=world.images.delete("img-mine000001"))
    refused(rebuild(gone, iid), "REBUILD_INSTANCE.ORIGINAL_IMAGE_EXISTS", NF)
    ok(rebuild(gone, iid, imageId="img-centos7cld"))
    ok(rebuild(world, iid))


@pytest.mark.rule("REBUILD_INSTANCE.KEYPAIR_EXISTS")
def test_rebuild_unknown_keypair(world: World) -> None:
    iid, world = stopped(world)
    out = rebuild(world, iid, keyNames=["no-such-key"])
    refused(out, "REBUILD_INSTANCE.KEYPAIR_EXISTS", NF)
    assert out.error is not None and out.error.field == "keyNames.0"
    refused(run(world, "rebuildInstance", caller="bob", instanceId=iid, keyNames=["alice-key"]),
            "INSTANCE.EXISTS", NF)
    ok(rebuild(world, iid, keyNames=["alice-key"]))


@pytest.mark.rule("REBUILD_INSTANCE.ROOT_DEVICE_TYPE")
def test_rebuild_image_matches_system_disk(world: World) -> None:
    lid, world = local(world)
    refused(rebuild(world, lid, imageId="img-centos7cld"), "REBUILD_INSTANCE.ROOT_DEVICE_TYPE", IA)
    ok(rebuild(world, lid, imageId="img-centos7lcl"))
    cid, world = stopped(world)
    refused(rebuild(world, cid, imageId="img-centos7lcl"), "REBUILD_INSTANCE.ROOT_DEVICE_TYPE", IA)
    ok(rebuild(world, cid, imageId="img-centos7cld"))


@pytest.mark.rule("REBUILD_INSTANCE.IMAGE_SUPPORTS_TYPE")
def test_rebuild_image_supports_type(world: World) -> None:
    iid, world = stopped(world, instance_type="g.n1.medium")
    refused(rebuild(world, iid, imageId="img-ubuntu18cd"), "REBUILD_INSTANCE.IMAGE_SUPPORTS_TYPE", IA)
    ok(rebuild(world, iid, imageId="img-centos7cld"))


@pytest.mark.rule("REBUILD_INSTANCE.KEYPAIR_LINUX_ONLY")
def test_rebuild_keys_only_for_linux(world: World) -> None:
    iid, world = stopped(world, key_names=["alice-key"])
    refused(rebuild(world, iid, imageId="img-win2012r2c", keyNames=["alice-key"]),
            "REBUILD_INSTANCE.KEYPAIR_LINUX_ONLY", IA)
    out = ok(rebuild(world, iid, imageId="img-win2012r2c", password=PASSWORD))
    assert out.instances[iid].key_names == ()  # a Windows system keeps no keypair


@pytest.mark.rule("REBUILD_INSTANCE.WINDOWS_HOSTNAME")
def test_rebuild_windows_hostname(world: World) -> None:
    iid, world = stopped(world)
    refused(rebuild(world, iid, imageId="img-win2012r2c", hostname="web.example"),
            "REBUILD_INSTANCE.WINDOWS_HOSTNAME", IA)
    ok(rebuild(world, iid, imageId="img-centos7cld", hostname="web.example"))
    ok(rebuild(world, iid, imageId="img-win2012r2c", hostname="web-01"))


@pytest.mark.rule("REBUILD_INSTANCE.SYSTEM_DISK_SIZE")
def test_rebuild_system_disk_not_larger_than_another_image(world: World) -> None:
    # img-ubuntu18cd has a 40 GB system disk; the instances run img-centos7cld.
    big, world = stopped(world, system_disk_size_gb=50)
    refused(rebuild(world, big, imageId="img-ubuntu18cd"), "REBUILD_INSTANCE.SYSTEM_DISK_SIZE", IA)
    iid, world = stopped(world, system_disk_size_gb=40)
    ok(rebuild(world, iid, imageId="img-ubuntu18cd"))


@pytest.mark.rule("REBUILD_INSTANCE.SYSTEM_DISK_SIZE")
def test_rebuild_from_its_own_image_keeps_any_system_disk_size(world: World) -> None:
    # 若不指定镜像ID，默认使用当前主机的原镜像重置系统: a 100 GB disk on its own 40 GB image, as created.
    big, world = stopped(world, system_disk_size_gb=100)
    ok(rebuild(world, big))
    ok(rebuild(world, big, imageId="img-centos7cld"))
    refused(rebuild(world, big, imageId="img-ubuntu18cd"), "REBUILD_INSTANCE.SYSTEM_DISK_SIZE", IA)


@pytest.mark.effect("REBUILD_INSTANCE.SYSTEM_DISK_AT_LEAST_IMAGE")
def test_rebuild_grows_a_smaller_cloud_system_disk_to_the_image(world: World) -> None:
    # img-lampthird1 has a 60 GB system disk: a 40 GB disk grows to 60, a 59 GB one too; 60 GB stays 60.
    for size, after in ((40, 60), (59, 60), (60, 60)):
        iid, sized = stopped(world, system_disk_size_gb=size)
        rebuilt = settle(ok(rebuild(sized, iid, imageId="img-lampthird1")))
        disk_id = rebuilt.instances[iid].system_disk.disk_id
        assert disk_id is not None and rebuilt.disks[disk_id].size_gb == after
        described = run(rebuilt, "describeInstance", instanceId=iid).result["instance"]["systemDisk"]
        assert described["cloudDisk"]["diskSizeGB"] == after
    # a larger disk on its own image keeps its size; a local system disk has no disk record to grow
    big, world = stopped(world, system_disk_size_gb=100)
    kept = ok(rebuild(world, big))
    assert kept.disks[kept.instances[big].system_disk.disk_id or ""].size_gb == 100
    lcl, world = local(world)
    assert ok(rebuild(world, lcl)).instances[lcl].system_disk == world.instances[lcl].system_disk


def _windows(world: World, **kw: Any) -> tuple[str, World]:
    return stopped(world, image_id="img-win2012r2c", **kw)


def _cpus(world: World, cpu: int) -> World:
    return with_type(world, InstanceType(f"g.n2.cpu{cpu}", "g.n2", 2, cpu, cpu * 4096, 8,
                                         state=(AzStock("cn-north-1a", True),)))


@pytest.mark.rule("RESIZE_INSTANCE.WINDOWS_CPU")
def test_resize_windows_instance_at_most_64_cpus(world: World) -> None:
    world = _cpus(_cpus(world, 64), 65)
    iid, world = _windows(world)
    refused(resize(world, iid, "g.n2.cpu65"), "RESIZE_INSTANCE.WINDOWS_CPU", IA)
    refused(resize(world, iid, "g.n2.24xlarge"), "RESIZE_INSTANCE.WINDOWS_CPU", IA)
    ok(resize(world, iid, "g.n2.cpu64"))
    linux, world = stopped(world)
    ok(resize(world, linux, "g.n2.cpu65"))


@pytest.mark.rule("RESIZE_INSTANCE.SQL_SERVER_MEMORY")
def test_resize_sql_server_instance_needs_more_than_1gb(world: World) -> None:
    world = with_type(world, InstanceType("g.n2.mem1025", "g.n2", 2, 1, 1025, 2,
                                          state=(AzStock("cn-north-1a", True),)))
    iid, world = stopped(world, image_id="img-win12sql14", system_disk_size_gb=50)
    refused(resize(world, iid, "g.n2.micro"), "RESIZE_INSTANCE.SQL_SERVER_MEMORY", IA)
    ok(resize(world, iid, "g.n2.mem1025"))
    plain, world = _windows(world)
    ok(resize(world, plain, "g.n2.micro"))


@pytest.mark.rule("REBUILD_INSTANCE.WINDOWS_CPU")
def test_rebuild_to_windows_at_most_64_cpus(world: World) -> None:
    world = _cpus(_cpus(world, 64), 65)
    many, world = stopped(world, instance_type="g.n2.cpu65")
    refused(rebuild(world, many, imageId="img-win2012r2c"), "REBUILD_INSTANCE.WINDOWS_CPU", IA)
    ok(rebuild(world, many, imageId="img-ubuntu18cd"))
    edge, world = stopped(world, instance_type="g.n2.cpu64")
    ok(rebuild(world, edge, imageId="img-win2012r2c"))


@pytest.mark.rule("REBUILD_INSTANCE.SQL_SERVER_MEMORY")
def test_rebuild_to_sql_server_needs_more_than_1gb(world: World) -> None:
    world = with_type(world, InstanceType("g.n2.mem1025", "g.n2", 2, 1, 1025, 2,
                                          state=(AzStock("cn-north-1a", True),)))
    small, world = stopped(world, instance_type="g.n2.micro")
    refused(rebuild(world, small, imageId="img-win12sql14"), "REBUILD_INSTANCE.SQL_SERVER_MEMORY", IA)
    ok(rebuild(world, small, imageId="img-win2012r2c"))
    edge, world = stopped(world, instance_type="g.n2.mem1025")
    ok(rebuild(world, edge, imageId="img-win12sql14"))


@pytest.mark.rule("REBUILD_INSTANCE.STATUS_STOPPED")
def test_rebuild_needs_stopped(world: World) -> None:
    iid, world = instance(world)
    refused(rebuild(world, iid), "REBUILD_INSTANCE.STATUS_STOPPED", FA)
    ok(rebuild(settle(ok(run(world, "stopInstance", instanceId=iid))), iid))


@pytest.mark.rule("REBUILD_INSTANCE.NO_TASK")
def test_rebuild_refused_while_busy(world: World) -> None:
    iid, world = stopped(world)
    busy = ok(run(world, "attachDisk", instanceId=iid, diskId="vol-ssd0000001"))
    refused(rebuild(busy, iid), "REBUILD_INSTANCE.NO_TASK", FA)
    ok(rebuild(settle(busy), iid))


@pytest.mark.rule("REBUILD_INSTANCE.IMAGE_READY")
def test_rebuild_needs_ready_image(world: World) -> None:
    pending: Image = replace(world.images["img-centos7cld"], image_id="img-pending0001", owner="alice",
                             source="private", status="pending")
    world = add_image(world, pending)
    iid, world = stopped(world)
    refused(rebuild(world, iid, imageId="img-pending0001"), "REBUILD_INSTANCE.IMAGE_READY", FA)
    ready = world.evolve(images=world.images.set("img-pending0001", replace(pending, status="ready")))
    ok(rebuild(ready, iid, imageId="img-pending0001"))


def test_other_accounts_instance_is_not_found(world: World) -> None:
    iid, world = stopped(world)
    refused(resize(world.evolve(default_account="bob"), iid, "g.n2.large"), "INSTANCE.EXISTS", NF)
    refused(run(world, "rebuildInstance", caller="bob", instanceId=iid), "INSTANCE.EXISTS", NF)
