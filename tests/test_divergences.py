"""docs/divergences.md says what the engine does: each hand-written "vmrules" claim checked with execute, and
"Seed:" used only where the seed speaks (the values the page computes from the engine need no check here)."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import NORTH, instance, ok, run

from vmrules import World, execute, settle
from vmrules.catalogue import CATALOGUE
from vmrules.docgen.divergences import DIVERGENCES, device_name_accepted
from vmrules.model import Disk

SPEC: dict[str, Any] = {
    "name": "web", "az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": "img-centos7cld",
    "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
    "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd"}},
}


def create(world: World, maxCount: int | None = None, **spec: Any) -> Any:
    params: dict[str, Any] = {"regionId": NORTH, "instanceSpec": {**SPEC, **spec}}
    if maxCount is not None:
        params["maxCount"] = maxCount
    return execute(world, "createInstances", params)


def rule_of(outcome: Any) -> str | None:
    return None if outcome.error is None else outcome.error.rule


def item(number: int) -> Any:
    return next(d for d in DIVERGENCES if d.number == number)


def test_seed_is_claimed_only_with_a_seed_quote() -> None:
    claimed_without_quote = [d.number for d in DIVERGENCES if d.seed is not None and not d.quotes]
    assert claimed_without_quote == []
    silent = [d.number for d in DIVERGENCES if d.seed is None]
    assert {16, 17, 18, 20, 21} <= set(silent)


def test_2_bandwidth_1_to_100(world: World) -> None:
    assert "[1, 100]" in item(2).vmrules_text()
    assert create(world, elasticIp={"bandwidthMbps": 100}).ok and create(world, elasticIp={"bandwidthMbps": 1}).ok
    assert rule_of(create(world, elasticIp={"bandwidthMbps": 101})) == "CREATE_INSTANCES.EIP_BANDWIDTH"
    assert rule_of(create(world, elasticIp={"bandwidthMbps": 0})) == "CREATE_INSTANCES.EIP_BANDWIDTH"


def test_5_create_image_needs_stopped(world: World) -> None:
    iid, world = instance(world)
    assert rule_of(run(world, "createImage", instanceId=iid, name="img")) == "CREATE_IMAGE.STATUS_STOPPED"


def test_6_encryption_is_modelled_for_disks(world: World) -> None:
    text = item(6).vmrules_text()
    assert "not modelled" not in text.replace("images carry no encryption", "")
    assert "encrypted" in Disk.__dataclass_fields__ and "RESIZE_INSTANCE.ENCRYPTED_DISK_GENERATION_1" in CATALOGUE
    assert "RESIZE_INSTANCE.ENCRYPTED_DISK_GENERATION_1" in text or "generation-1" in text


def test_11_keys_refused_on_windows(world: World) -> None:
    out = create(world, imageId="img-win2012r2c", keyNames=["alice-key"])
    assert rule_of(out) == "CREATE_INSTANCES.KEY_LINUX_ONLY"


def test_12_system_disk_cannot_be_attached_or_detached(world: World) -> None:
    iid, world = instance(world)
    attach = run(world, "attachDisk", instanceId=iid, diskId="vol-ssd0000001", deviceName="vda")
    assert rule_of(attach) == "ATTACH_DISK.DEVICE_NAME_FORMAT"
    system = world.instances[iid].system_disk.disk_id
    assert rule_of(run(world, "detachDisk", instanceId=iid, diskId=system)) == "DETACH_DISK.DATA_DISK_ONLY"


def test_14_local_system_disk_size_refused(world: World) -> None:
    local = {"diskCategory": "local", "cloudDiskSpec": {"diskSizeGB": 40}}
    out = create(world, imageId="img-centos7lcl", systemDisk=local)
    assert rule_of(out) == "CREATE_INSTANCES.LOCAL_SYSTEM_DISK_SIZE"
    assert create(world, imageId="img-centos7lcl", systemDisk={"diskCategory": "local"}).ok


def test_16_names_at_most_32_without_dots(world: World) -> None:
    assert "at most 32" in item(16).vmrules_text()
    assert create(world, name="a" * 32).ok
    assert rule_of(create(world, name="a" * 33)) == "CREATE_INSTANCES.NAME"
    assert rule_of(create(world, name="a.b")) == "CREATE_INSTANCES.NAME"


@pytest.mark.parametrize("operation", ["attachDisk", "createInstances", "createImage"])
def test_18_device_names_start_at_vdb(operation: str) -> None:
    assert device_name_accepted(operation, "vdb") and not device_name_accepted(operation, "vda")
    assert device_name_accepted(operation, "vdz")


def test_19_max_count_best_effort_within_quota(world: World) -> None:
    assert rule_of(create(world, maxCount=101)) == "CREATE_INSTANCES.MAX_COUNT"
    assert rule_of(create(world, maxCount=0)) == "CREATE_INSTANCES.MAX_COUNT"
    made = create(world, maxCount=100)  # more than the CPU quota leaves room for: as many as fit
    assert made.ok and 0 < len(made.result["instanceIds"]) < 100


def test_20_primary_interface_always_deleted(world: World) -> None:
    nic = {"autoDelete": False, "networkInterface": {"subnetId": "subnet-main00001a"}}
    assert rule_of(create(world, primaryNetworkInterface=nic)) == "CREATE_INSTANCES.NIC_AUTO_DELETE"
    iid, world = instance(world, instance_type="g.n2.large")
    world = ok(run(world, "attachNetworkInterface", instanceId=iid, networkInterfaceId="port-eniplain01"))
    assert world.network_interfaces["port-eniplain01"].auto_delete is False


def test_21_one_image_source_vocabulary(world: World) -> None:
    sid, world = instance(world, status="stopped")
    made = run(world, "createImage", instanceId=sid, name="img")
    world = settle(ok(run(settle(ok(made)), "shareImage", imageId=made.result["imageId"], pins=["bob"])))
    vocabulary = {"public", "thirdparty", "private", "shared"}
    for source in sorted(vocabulary):  # each filter value comes back as the result's value
        for caller in ("alice", "bob"):
            listed = run(world, "describeImages", caller=caller, imageSource=source).result["images"]
            assert {i["imageSource"] for i in listed} <= {source}
    seen = {i["imageSource"] for c in ("alice", "bob") for s in sorted(vocabulary)
            for i in run(world, "describeImages", caller=c, imageSource=s).result["images"]}
    assert seen == vocabulary
    assert run(world, "describeImages", imageSource="jcloud").error is not None
