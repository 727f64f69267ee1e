"""An instance's own record of its OS (``Instance.os_type``, the SDK's ``osType``): taken from its image when it
is created or rebuilt, kept when that private image is deleted, and read by every rule about the OS the instance
runs (RESIZE_INSTANCE.WINDOWS_CPU, MODIFY_INSTANCE_ATTRIBUTE.WINDOWS_HOSTNAME) and by createImage; written to and
read from snapshots; shown by describeInstance (docs/decisions/instance-os.md)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from helpers import instance, ok, refused, run
from world_edits import found, with_instance

from vmrules import World, settle
from vmrules.builders import add_image, add_instance, add_instances
from vmrules.model import AzStock, Image, InstanceType
from vmrules.snapshot import SnapshotError

IA = "INVALID_ARGUMENT"
WINDOWS, LINUX = "img-win2012r2c", "img-centos7cld"
PASSWORD = "Zx8!Wv7#Mn"


def _cpus(world: World, *counts: int) -> World:
    """The world with instance types g.n2.cpuN of N CPUs, in stock in cn-north-1a."""
    for cpu in counts:
        itype = InstanceType(f"g.n2.cpu{cpu}", "g.n2", 2, cpu, cpu * 4096, 8, state=(AzStock("cn-north-1a", True),))
        world = world.evolve(instance_types=world.instance_types.set(itype.instance_type, itype))
    return world


def _private_image_of(world: World, base: str) -> tuple[str, World]:
    """A ready private image made by createImage from a stopped instance of ``base``."""
    source, world = instance(world, image_id=base, status="stopped", name="source")
    out = run(world, "createImage", instanceId=source, name="own-img", description="d")
    image_id = out.result["imageId"]
    return image_id, settle(ok(out))


def _orphan(world: World, base: str, **kw: Any) -> tuple[str, World]:
    """A stopped instance made from a private image of ``base``, whose image has then been deleted."""
    image_id, world = _private_image_of(world, base)
    iid, world = instance(world, image_id=image_id, status="stopped", **kw)
    world = settle(ok(run(world, "deleteImage", imageId=image_id)))
    assert image_id not in world.images
    return iid, world


def _resize(world: World, iid: str, to: str) -> Any:
    return run(world, "resizeInstance", instanceId=iid, instanceType=to)


def _hostname(world: World, iid: str, hostname: str) -> Any:
    return run(world, "modifyInstanceAttribute", instanceId=iid, hostname=hostname)


# ---- the audit's reproducer (/tmp/audit/net/repro_windows_image_deleted.py), through createInstances ----------


def test_the_reproducer_a_windows_instance_keeps_its_checks_after_its_private_image_is_deleted(world: World) -> None:
    image_id, world = _private_image_of(world, WINDOWS)
    assert world.images[image_id].os_type == "windows"
    out = run(world, "createInstances", instanceSpec={
        "name": "win2", "az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": image_id,
        "password": PASSWORD, "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
        "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}}})
    iid = out.result["instanceIds"][0]
    world = settle(ok(out))
    assert world.instances[iid].os_type == "windows"
    world = settle(ok(run(world, "stopInstance", instanceId=iid)))
    world = settle(ok(run(world, "deleteImage", imageId=image_id)))
    refused(_resize(world, iid, "g.n2.24xlarge"), "RESIZE_INSTANCE.WINDOWS_CPU", IA)
    refused(_hostname(world, iid, "web.example.com"), "MODIFY_INSTANCE_ATTRIBUTE.WINDOWS_HOSTNAME", IA)


# ---- the rules at their edges, the image gone ------------------------------------------------------------


@pytest.mark.rule("RESIZE_INSTANCE.WINDOWS_CPU")
def test_resize_of_a_windows_instance_whose_image_is_gone_stops_at_64_cpus(world: World) -> None:
    world = _cpus(world, 64, 65)
    win, world = _orphan(world, WINDOWS)
    refused(_resize(world, win, "g.n2.cpu65"), "RESIZE_INSTANCE.WINDOWS_CPU", IA)
    refused(_resize(world, win, "g.n2.24xlarge"), "RESIZE_INSTANCE.WINDOWS_CPU", IA)
    out = _resize(world, win, "g.n2.cpu65")
    assert out.error is not None and f"Windows instance {win} allows at most 64" in out.error.message
    ok(_resize(world, win, "g.n2.cpu64"))
    linux, world = _orphan(world, LINUX)
    ok(_resize(world, linux, "g.n2.cpu65"))


@pytest.mark.rule("MODIFY_INSTANCE_ATTRIBUTE.WINDOWS_HOSTNAME")
def test_the_windows_host_name_rule_holds_for_a_windows_instance_whose_image_is_gone(world: World) -> None:
    win, world = _orphan(world, WINDOWS)
    linux, world = _orphan(world, LINUX)
    for bad in ("web.example.com", "w" * 16, "12345"):
        refused(_hostname(world, win, bad), "MODIFY_INSTANCE_ATTRIBUTE.WINDOWS_HOSTNAME", IA)
        ok(_hostname(world, linux, bad))
    assert ok(_hostname(world, win, "w" * 15)).instances[win].hostname == "w" * 15
    ok(_hostname(world, win, "WEB-01"))


def test_create_image_from_an_instance_whose_image_is_gone_keeps_its_os(world: World) -> None:
    win, world = _orphan(world, WINDOWS)
    out = run(world, "createImage", instanceId=win, name="again", description="d")
    again = out.result["imageId"]
    world = settle(ok(out))
    assert world.images[again].os_type == "windows"
    third, world = instance(world, image_id=again, status="stopped")
    assert world.instances[third].os_type == "windows"
    linux, world = _orphan(world, LINUX)
    out = run(world, "createImage", instanceId=linux, name="again-linux", description="d")
    assert settle(ok(out)).images[out.result["imageId"]].os_type == "linux"


# ---- rebuildInstance changes the OS -----------------------------------------------------------------------


@pytest.mark.effect("REBUILD_INSTANCE.REBUILDS")
def test_rebuild_from_another_image_takes_its_os(world: World) -> None:
    world = _cpus(world, 65)
    win, world = _orphan(world, WINDOWS)
    to_linux = settle(ok(run(world, "rebuildInstance", instanceId=win, imageId="img-ubuntu18cd", password=PASSWORD)))
    assert (to_linux.instances[win].os_type, to_linux.instances[win].image_id) == ("linux", "img-ubuntu18cd")
    assert found(to_linux) == []
    ok(_resize(to_linux, win, "g.n2.cpu65"))
    ok(_hostname(to_linux, win, "web.example.com"))

    linux, world = instance(world, status="stopped")
    assert world.instances[linux].os_type == "linux"
    to_windows = settle(ok(run(world, "rebuildInstance", instanceId=linux, imageId=WINDOWS, password=PASSWORD)))
    assert to_windows.instances[linux].os_type == "windows"
    assert found(to_windows) == []
    refused(_resize(to_windows, linux, "g.n2.cpu65"), "RESIZE_INSTANCE.WINDOWS_CPU", IA)
    refused(_hostname(to_windows, linux, "web.example.com"), "MODIFY_INSTANCE_ATTRIBUTE.WINDOWS_HOSTNAME", IA)


# ---- builders ---------------------------------------------------------------------------------------------


def test_the_builders_record_the_images_os(world: World) -> None:
    win, world = add_instance(world, image_id=WINDOWS)
    linux, world = add_instance(world, image_id=LINUX)
    many, world = add_instances(world, 3, image_id=WINDOWS)
    assert [world.instances[i].os_type for i in (win, linux, *many)] == ["windows", "linux"] + ["windows"] * 3
    one_by_one = world
    for _ in range(3):
        _, one_by_one = add_instance(one_by_one, image_id=LINUX)
    _, bulk = add_instances(world, 3, image_id=LINUX)
    assert bulk == one_by_one


# ---- the wire view and snapshots --------------------------------------------------------------------------


def test_describe_instance_shows_the_os_even_when_the_image_is_gone(world: World) -> None:
    win, world = _orphan(world, WINDOWS)
    linux, world = instance(world)
    shown = run(world, "describeInstances").result["instances"]
    assert {i["instanceId"]: i["osType"] for i in shown}[win] == "windows"
    assert run(world, "describeInstance", instanceId=linux).result["instance"]["osType"] == "linux"


def test_a_snapshot_keeps_the_os_of_an_instance_whose_image_is_gone(world: World) -> None:
    win, world = _orphan(world, WINDOWS)
    data = world.to_dict()
    entry = next(i for i in data["instances"] if i["instanceId"] == win)
    assert entry["osType"] == "windows"
    back = World.from_dict(data)
    assert back == world and back.instances[win].os_type == "windows"
    refused(_resize(back, win, "g.n2.24xlarge"), "RESIZE_INSTANCE.WINDOWS_CPU", IA)


@pytest.mark.parametrize("absent", [pytest.param(True, id="absent"), pytest.param(False, id="null")])
def test_an_old_snapshot_without_os_type_takes_the_images(world: World, absent: bool) -> None:
    win, world = instance(world, image_id=WINDOWS)
    linux, world = instance(world, image_id=LINUX)
    data = world.to_dict()
    for entry in data["instances"]:
        if absent:
            del entry["osType"]
        else:
            entry["osType"] = None
    back = World.from_dict(data)
    assert (back.instances[win].os_type, back.instances[linux].os_type) == ("windows", "linux")
    assert back == world


def test_an_old_snapshot_without_os_type_and_without_the_image_is_refused(world: World) -> None:
    win, world = _orphan(world, WINDOWS)
    _, world = instance(world)
    data = world.to_dict()
    data["instances"].sort(key=lambda i: i["instanceId"] != win)
    del data["instances"][0]["osType"]
    with pytest.raises(SnapshotError) as caught:
        World.from_dict(data)
    assert caught.value.path == "instances[0].osType"
    assert "give osType" in str(caught.value)
    data["instances"][0]["osType"] = "windows"
    assert World.from_dict(data) == world


@pytest.mark.parametrize("value", ["Windows", "macos", ""])
def test_a_snapshot_os_type_outside_the_enum_is_refused(world: World, value: str) -> None:
    _, world = instance(world)
    data = world.to_dict()
    data["instances"][0]["osType"] = value
    with pytest.raises(SnapshotError) as caught:
        World.from_dict(data)
    assert caught.value.path == "instances[0].osType"


# ---- the invariant -----------------------------------------------------------------------------------------


def test_an_instances_os_is_its_images_while_the_image_exists(world: World) -> None:
    win, world = instance(world, image_id=WINDOWS)
    assert found(world) == []
    assert found(with_instance(world, win, os_type="linux")) == [("instances", win, ".osType")]
    data = with_instance(world, win, os_type="linux").to_dict()
    position = [i["instanceId"] for i in data["instances"]].index(win)
    with pytest.raises(SnapshotError) as caught:
        World.from_dict(data)
    assert caught.value.path == f"instances[{position}].osType"
    assert "its image img-win2012r2c is 'windows'" in str(caught.value)


def test_an_instance_whose_image_is_gone_may_have_either_os(world: World) -> None:
    win, world = _orphan(world, WINDOWS)
    assert found(world) == []
    assert found(with_instance(world, win, os_type="linux")) == []


def test_an_os_type_outside_the_enum_is_reported_on_the_instance_and_the_image(world: World) -> None:
    iid, world = _orphan(world, WINDOWS)
    assert found(with_instance(world, iid, os_type="macos")) == [("instances", iid, ".osType")]
    image = replace(world.images[WINDOWS], os_type="macos")  # type: ignore[arg-type]
    assert ("images", WINDOWS, ".osType") in found(world.evolve(images=world.images.set(WINDOWS, image)))


def test_an_image_made_after_the_instances_image_is_gone_knows_only_its_os(world: World) -> None:
    # The instance records its OS, not the rest of its image's description: platform and osVersion are unknown
    # ("") and the architecture x86_64 (docs/decisions/instance-os.md).
    world = add_image(world, Image("img-arm000001", "alice", "cn-north-1", "arm", "private", "Windows Server",
                                   "windows", "2019", "cloudDisk", 40, architecture="arm64"))
    iid, world = instance(world, image_id="img-arm000001", status="stopped")
    kept = run(world, "createImage", instanceId=iid, name="before", description="d")
    image = settle(ok(kept)).images[kept.result["imageId"]]
    assert (image.os_type, image.platform, image.os_version, image.architecture) == (
        "windows", "Windows Server", "2019", "arm64")
    world = settle(ok(run(world, "deleteImage", imageId="img-arm000001")))
    out = run(world, "createImage", instanceId=iid, name="after", description="d")
    image = settle(ok(out)).images[out.result["imageId"]]
    assert (image.os_type, image.platform, image.os_version, image.architecture) == ("windows", "", "", "x86_64")
