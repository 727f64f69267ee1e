"""Edges of resizeInstance and rebuildInstance (operations/reconfigure.py) that tests/test_resize_rebuild.py
leaves open: an encrypted system disk, the quota rules at exactly the limit (a growth of one, memory counted in
whole GB), and the exact edges of the rebuild rules."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from helpers import instance, ok, refused, run

from vmrules import World, check, settle
from vmrules.builders import DataDiskPlan, add_account
from vmrules.defaults import DEFAULT_QUOTAS
from vmrules.ids import password_digest
from vmrules.model import AzStock, InstanceType

FA = "FAILED_PRECONDITION"
QE = "QUOTA_EXCEEDED"
NORTH = "cn-north-1"


def stopped(world: World, **kw: Any) -> tuple[str, World]:
    return instance(world, status="stopped", **kw)


def resize(world: World, iid: str, to: str) -> Any:
    return run(world, "resizeInstance", instanceId=iid, instanceType=to)


def encrypted(world: World, *disk_ids: str) -> World:
    disks = world.disks
    for disk_id in disk_ids:
        disks = disks.set(disk_id, replace(disks[disk_id], encrypted=True))
    return world.evolve(disks=disks)


def at_quota(world: World, resource: str) -> World:
    """alice's quota of ``resource`` set to exactly what she uses in cn-north-1."""
    used = world.used("alice", NORTH, resource)
    return add_account(world, "alice", quotas=[(name, used if name == resource else limit)
                                               for name, limit in DEFAULT_QUOTAS])


def with_type(world: World, name: str, cpu: int, memory_mb: int) -> World:
    itype = InstanceType(name, "g.n2", 2, cpu, memory_mb, 2, state=(AzStock("cn-north-1a", True),))
    return world.evolve(instance_types=world.instance_types.set(name, itype))


@pytest.mark.rule("RESIZE_INSTANCE.ENCRYPTED_DISK_GENERATION_1")
def test_an_encrypted_system_disk_keeps_the_instance_off_generation_1(world: World) -> None:
    iid, world = stopped(world)
    ok(resize(world, iid, "g.n1.large"))
    system_disk = world.instances[iid].system_disk.disk_id
    assert system_disk is not None
    out = resize(encrypted(world, system_disk), iid, "g.n1.large")
    refused(out, "RESIZE_INSTANCE.ENCRYPTED_DISK_GENERATION_1", FA)
    assert out.error is not None and f"encrypted disk {system_disk} attached" in out.error.message


@pytest.mark.rule("RESIZE_INSTANCE.ENCRYPTED_DISK_GENERATION_1")
def test_the_encrypted_disk_named_is_the_system_disk_first(world: World) -> None:
    iid, world = stopped(world, data_disks=[DataDiskPlan("ssd", 50), DataDiskPlan("ssd", 60)])
    inst = world.instances[iid]
    system_disk, first_data = inst.system_disk.disk_id, inst.data_disks[0].disk_id
    assert system_disk is not None
    out = resize(encrypted(world, system_disk, first_data), iid, "g.n1.large")
    refused(out, "RESIZE_INSTANCE.ENCRYPTED_DISK_GENERATION_1", FA)
    assert out.error is not None and f"encrypted disk {system_disk} attached" in out.error.message
    out = resize(encrypted(world, first_data), iid, "g.n1.large")
    assert out.error is not None and f"encrypted disk {first_data} attached" in out.error.message


@pytest.mark.rule("RESIZE_INSTANCE.CPU_QUOTA")
def test_one_more_vcpu_than_the_quota_leaves_is_refused(world: World) -> None:
    iid, world = stopped(world, instance_type="g.n2.micro")  # 1 vCPU
    full = at_quota(world, "instance_cpu")
    refused(resize(full, iid, "g.n2.medium"), "RESIZE_INSTANCE.CPU_QUOTA", QE)  # 2 vCPUs: one more
    ok(resize(with_type(full, "g.n2.same", 1, 1024), iid, "g.n2.same"))  # no growth: allowed at the quota


@pytest.mark.rule("RESIZE_INSTANCE.MEMORY_QUOTA")
def test_memory_counts_in_whole_gb(world: World) -> None:
    # 1024 MB and 1536 MB are both 1 GB of memory quota: no growth, so a full quota allows the move.
    iid, world = stopped(world, instance_type="g.n2.micro")  # 1 vCPU, 1024 MB
    full = at_quota(with_type(world, "g.n2.half", 1, 1536), "instance_memory")
    ok(resize(full, iid, "g.n2.half"))
    refused(resize(with_type(full, "g.n2.two", 1, 2048), iid, "g.n2.two"), "RESIZE_INSTANCE.MEMORY_QUOTA", QE)


@pytest.mark.rule("RESIZE_INSTANCE.MEMORY_QUOTA")
def test_a_large_type_s_memory_counts_exactly(world: World) -> None:
    # 1023 GB: memoryMB // 1024 is 1023 (a divisor one off would make it 1024 or 1022).
    iid, world = stopped(world, instance_type="g.n2.micro")  # 1 GB
    world = with_type(world, "g.n2.huge", 1, 1023 * 1024)
    used = world.used("alice", NORTH, "instance_memory")
    quotas = [(name, used + 1022 if name == "instance_memory" else limit) for name, limit in DEFAULT_QUOTAS]
    ok(resize(add_account(world, "alice", quotas=quotas), iid, "g.n2.huge"))
    quotas = [(name, used + 1021 if name == "instance_memory" else limit) for name, limit in DEFAULT_QUOTAS]
    refused(resize(add_account(world, "alice", quotas=quotas), iid, "g.n2.huge"), "RESIZE_INSTANCE.MEMORY_QUOTA", QE)


@pytest.mark.rule("REBUILD_INSTANCE.ROOT_DEVICE_TYPE")
def test_check_rebuild_copes_with_a_missing_instance_or_image(world: World) -> None:
    iid, world = stopped(world)

    def rules_of(**params: Any) -> list[str]:
        return [e.rule for e in check(world, "rebuildInstance", {"regionId": NORTH, **params})]

    assert rules_of(instanceId="i-nothere0001", imageId="img-centos7lcl") == ["INSTANCE.EXISTS"]
    assert rules_of(instanceId=iid, imageId="img-nothere000") == ["REBUILD_INSTANCE.IMAGE_EXISTS"]
    assert rules_of(instanceId=iid, imageId="img-centos7lcl") == ["REBUILD_INSTANCE.ROOT_DEVICE_TYPE"]


def test_a_rebuild_password_replaces_a_pending_one_and_none_keeps_it(world: World) -> None:
    iid, world = stopped(world)
    pending = ok(run(world, "modifyInstancePassword", instanceId=iid, password="Pw9!pending"))
    assert pending.instances[iid].pending_password_digest == password_digest("Pw9!pending")
    given = settle(ok(run(pending, "rebuildInstance", instanceId=iid, password="Pw9!rebuilt")))
    assert given.instances[iid].pending_password_digest is None
    started = settle(ok(run(given, "startInstance", instanceId=iid)))
    assert started.instances[iid].password_digest == password_digest("Pw9!rebuilt")
    kept = settle(ok(run(pending, "rebuildInstance", instanceId=iid)))
    assert kept.instances[iid].pending_password_digest == password_digest("Pw9!pending")
    started = settle(ok(run(kept, "startInstance", instanceId=iid)))
    assert started.instances[iid].password_digest == password_digest("Pw9!pending")
