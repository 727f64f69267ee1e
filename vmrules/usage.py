"""Usage counters recomputed from the entities of a world.

Transitions keep ``World.usage`` up to date incrementally (``World.add_usage``); ``recount_usage`` computes
the same map from scratch. Snapshots do not store usage: ``World.from_dict`` derives it with this function,
and property tests use it as an invariant (``world.usage == recount_usage(world)``).

What counts, per (owner pin, region, resourceType):

* ``instance``: every instance present in the world, whatever its status (an instance stops counting when
  its deletion completes and it is gone);
* ``instance_cpu``: the sum of the instance types' vCPUs over those instances;
* ``instance_memory``: the sum over those instances of the type's memory in whole GB (``memoryMB // 1024``);
* ``image``: private images owned (official and third-party images belong to the platform);
* ``keypair``: keypairs;
* ``instanceTemplate``: instance templates.

Counters that would be zero are absent from the map, exactly as ``add_usage`` leaves them.
"""

from __future__ import annotations

from immutables import Map

from vmrules.model import InstanceType
from vmrules.state import UsageKey, WorldState

USAGE_TYPES: tuple[str, ...] = (
    "instance", "instance_cpu", "instance_memory", "image", "keypair", "instanceTemplate",
)


def instance_usage(itype: InstanceType | None) -> tuple[tuple[str, int], ...]:
    """What one instance counts against quotas: itself, and its type's vCPUs and memory in whole GB."""
    if itype is None:
        return (("instance", 1),)
    return (("instance", 1), ("instance_cpu", itype.cpu), ("instance_memory", itype.memory_mb // 1024))


def recount_usage(world: WorldState) -> Map[UsageKey, int]:
    """The usage counters of ``world`` computed from its instances, images, keypairs and templates."""
    counts: dict[UsageKey, int] = {}

    def add(pin: str, region: str, resource_type: str, amount: int) -> None:
        key = (pin, region, resource_type)
        counts[key] = counts.get(key, 0) + amount

    # Instances are counted per (owner, region, type) first: one dict update per instance, then the type's
    # cpu and memory once per group (the snapshot reader and the consistency check each recount 100,000s).
    per_type: dict[tuple[str, str, str], int] = {}
    for inst in world.instances.values():
        group = (inst.owner, inst.region, inst.instance_type)
        per_type[group] = per_type.get(group, 0) + 1
    for (pin, region, type_name), count in per_type.items():
        for resource_type, amount in instance_usage(world.instance_types.get(type_name)):
            add(pin, region, resource_type, amount * count)
    for image in world.images.values():
        if image.source == "private":
            add(image.owner, image.region, "image", 1)
    for key in world.keypairs.values():
        add(key.owner, key.region, "keypair", 1)
    for template in world.templates.values():
        add(template.owner, template.region, "instanceTemplate", 1)
    return Map({key: value for key, value in counts.items() if value != 0})
