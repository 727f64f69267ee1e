"""Setups for instance rules that need an instance or an image the starting world does not hold.

* ``windows-micro``: a Windows instance on a 1 GB type with a 60 GB system disk. Rebuilding it with an image
  whose constraint leaves out its type, with the SQL Server image, or with an image of a smaller system disk,
  and giving it a hostname too long for Windows, each break one rule.
* ``big``: an instance of a type with more than 64 CPUs; rebuilding it with a Windows image breaks the CPU limit.
* an image still being created (createImage, before the next settle): createInstances and rebuildInstance
  from it break "the image is ready".

An instance is created once per run; later setups find it by name. The compatibility rules come before the
status and task rules in precedence, so the instance does not need to have settled.
"""

from __future__ import annotations

from hypothesis import strategies as st

from vmrules.defaults import NORTH
from vmrules.engine import check, execute
from vmrules.model import Instance
from vmrules.testing.conformance.divergence import Divergence
from vmrules.testing.conformance.edges import create_spec
from vmrules.testing.conformance.lockstep import Lockstep
from vmrules.testing.conformance.settings import JSON
from vmrules.testing.conformance.setups.base import Registry
from vmrules.testing.conformance.setups.common import run_steps
from vmrules.world import World

registry = Registry()

WINDOWS_IMAGE = "img-win2012r2c"
SQL_SERVER_IMAGE = "img-win12sql14"
LONG_WINDOWS_HOSTNAME = "winhost-0123456789"  # a good Linux hostname, 3 characters over Windows' 15
_MICRO = ("setup-windows-micro", "g.n2.micro", WINDOWS_IMAGE, 60)
_BIG = ("setup-big", "g.n2.24xlarge", "img-centos7cld", 40)


def _named(lock: Lockstep, caller: str, name: str) -> Instance | None:
    return next((i for i in sorted(lock.model.instances.values(), key=lambda i: i.instance_id)
                 if i.owner == caller and i.region == NORTH and i.name == name and i.status != "deleting"), None)


def _ensure(lock: Lockstep, caller: str, fixture: tuple[str, str, str, int]) -> tuple[Instance | None,
                                                                                       Divergence | None]:
    """The caller's instance named ``fixture[0]``, created (type, image, system disk size) when missing."""
    name, instance_type, image_id, size = fixture
    found = _named(lock, caller, name)
    spec = create_spec(lock.model, caller) if found is None else None
    if spec is None:
        return found, None
    spec["instanceSpec"] |= {"name": name, "instanceType": instance_type, "imageId": image_id, "systemDisk": {
        "diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": size}}}
    divergence = lock.request("createInstances", spec, caller)
    return _named(lock, caller, name), divergence


def _rebuild_images(lock: Lockstep, inst: Instance, rule_id: str) -> list[str]:
    """Images that, put on ``inst`` by rebuildInstance, break ``rule_id`` first (the model decides)."""
    world = lock.model
    found = []
    for image in sorted(world.images.values(), key=lambda i: i.image_id):
        if image.region != NORTH or image.image_id == inst.image_id:
            continue
        params = {"regionId": NORTH, "instanceId": inst.instance_id, "imageId": image.image_id}
        rules = [e.rule for e in check(world, "rebuildInstance", params, caller=inst.owner)]
        if rules and rules[0] == rule_id:
            found.append(image.image_id)
    return found


@registry.setup_for("REBUILD_INSTANCE.IMAGE_SUPPORTS_TYPE", "REBUILD_INSTANCE.SQL_SERVER_MEMORY",
                    "REBUILD_INSTANCE.SYSTEM_DISK_SIZE", "REBUILD_INSTANCE.WINDOWS_CPU")
def rebuild_onto(lock: Lockstep, data: st.DataObject, caller: str,
                 rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """The fixture instance the rule needs, and rebuild requests putting on it each image that breaks the rule."""
    inst, divergence = _ensure(lock, caller, _BIG if rule_id == "REBUILD_INSTANCE.WINDOWS_CPU" else _MICRO)
    if inst is None or divergence is not None:
        return [], divergence
    return [{"regionId": NORTH, "instanceId": inst.instance_id, "imageId": image_id}
            for image_id in _rebuild_images(lock, inst, rule_id)[:3]], None


@registry.setup_for("MODIFY_INSTANCE_ATTRIBUTE.WINDOWS_HOSTNAME")
def windows_hostname(lock: Lockstep, data: st.DataObject, caller: str,
                     rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """A Windows instance, and a hostname for it that Linux allows and Windows does not."""
    inst, divergence = _ensure(lock, caller, _MICRO)
    if inst is None or divergence is not None:
        return [], divergence
    return [{"regionId": NORTH, "instanceId": inst.instance_id, "hostname": LONG_WINDOWS_HOSTNAME}], None


def _stopped_cloud(world: World, caller: str) -> list[Instance]:
    return [i for i in sorted(world.instances.values(), key=lambda i: i.instance_id)
            if i.owner == caller and i.region == NORTH and i.status == "stopped" and not world.busy(i.instance_id)
            and i.system_disk.category == "cloud"]


def _stop_some(lock: Lockstep, caller: str, count: int = 3) -> Divergence | None:
    """Stop up to ``count`` running idle cloud-disk instances of the caller, then settle."""
    world = lock.model
    running = [i for i in sorted(world.instances.values(), key=lambda i: i.instance_id)
               if i.owner == caller and i.region == NORTH and i.status == "running" and not world.busy(i.instance_id)
               and i.system_disk.category == "cloud"][:count]
    for inst in running:
        divergence = lock.request("stopInstance", {"regionId": NORTH, "instanceId": inst.instance_id}, caller)
        if divergence is not None:
            return divergence
    return lock.settle() if running else None


def _uses(world: World, caller: str, image_id: str, rule_id: str) -> list[JSON]:
    """The rule's requests using ``image_id`` that break it first in ``world`` (rebuild: one per stopped idle
    instance the image fits)."""
    if rule_id == "CREATE_INSTANCES.IMAGE_READY":
        spec = create_spec(world, caller)
        if spec is None:
            return []
        spec["instanceSpec"]["imageId"] = image_id
        candidates = [("createInstances", spec)]
    else:
        candidates = [("rebuildInstance", {"regionId": NORTH, "instanceId": i.instance_id, "imageId": image_id})
                      for i in _stopped_cloud(world, caller)]
    return [params for operation, params in candidates
            for rules in [[e.rule for e in check(world, operation, params, caller=caller)]]
            if rules and rules[0] == rule_id]


def _new_image(lock: Lockstep, caller: str, rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """createImage from a stopped idle instance whose image the rule's request can then use (the model,
    asked beforehand on its own world, decides which)."""
    world = lock.model
    for source in _stopped_cloud(world, caller):
        params = {"regionId": NORTH, "instanceId": source.instance_id, "name": "not-ready-yet"}
        outcome = execute(world, "createImage", params, caller=caller)
        if outcome.ok and _uses(outcome.world, caller, outcome.result["imageId"], rule_id):
            before = set(world.images)
            divergence = lock.request("createImage", params, caller)
            made = sorted(set(lock.model.images) - before)
            return (_uses(lock.model, caller, made[0], rule_id) if made else []), divergence
    return [], None


@registry.setup_for("CREATE_INSTANCES.IMAGE_READY", "REBUILD_INSTANCE.IMAGE_READY")
def image_not_ready(lock: Lockstep, data: st.DataObject, caller: str,
                    rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """An image being created (one there is, or one createImage starts now), and the rule's requests using it;
    running instances are stopped first when no stopped one will do."""
    world = lock.model
    for image in sorted(world.images.values(), key=lambda i: i.image_id):
        if image.owner == caller and image.region == NORTH and image.status == "pending":
            found = _uses(world, caller, image.image_id, rule_id)
            if found:
                return found[:3], None
    found, divergence = _new_image(lock, caller, rule_id)
    if found or divergence is not None:
        return found[:3], divergence
    divergence = _stop_some(lock, caller)
    if divergence is not None:
        return [], divergence
    found, divergence = _new_image(lock, caller, rule_id)
    return found[:3], divergence


def _rebuild_in_place(instance_id: str) -> JSON:
    return {"regionId": NORTH, "instanceId": instance_id}  # no imageId: the instance's own image


@registry.setup_for("REBUILD_INSTANCE.ORIGINAL_IMAGE_EXISTS")
def own_image_deleted(lock: Lockstep, data: st.DataObject, caller: str,
                      rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """A stopped instance whose own image is gone, rebuilt without imageId: one there is, or one made so (an
    image of a stopped instance created, the instance rebuilt onto it, the image deleted, each settled)."""
    world = lock.model
    gone = [i for i in _stopped_cloud(world, caller) if world.image(caller, NORTH, i.image_id) is None]
    if gone:
        return [_rebuild_in_place(gone[0].instance_id)], None
    for source in _stopped_cloud(world, caller):
        create = {"regionId": NORTH, "instanceId": source.instance_id, "name": "soon-deleted"}
        made = execute(world, "createImage", create, caller=caller)  # asked first: the id the image will have
        if not made.ok:
            continue
        image_id = made.result["imageId"]
        found = run_steps(lock, [
            ("createImage", create),
            ("settle", {}),
            ("rebuildInstance", {"regionId": NORTH, "instanceId": source.instance_id, "imageId": image_id}),
            ("settle", {}),
            ("deleteImage", {"regionId": NORTH, "imageId": image_id}),
            ("settle", {}),
        ], caller)
        return [_rebuild_in_place(source.instance_id)], found
    return [], None
