"""Worlds one edit away from the default world, and what vmrules.consistency finds in them (the world-invariant
tests share these)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from vmrules import World
from vmrules.consistency import inconsistencies

DEFAULT = World.default()
SUBNET = "subnet-main00001a"  # 10.0.1.0/24 in vpc-main000001 (10.0.0.0/16)
PRIMARY = ".primaryNetworkInterface.networkInterface.networkInterfaceId"
Where = tuple[str, Any, str]


def found(world: World) -> list[Where]:
    return [(p.collection, p.key, p.member) for p in inconsistencies(world)]


def messages(world: World) -> list[str]:
    return [p.message for p in inconsistencies(world)]


def with_nic(world: World, nic_id: str, **changes: Any) -> World:
    return world.evolve(network_interfaces=world.network_interfaces.set(
        nic_id, replace(world.network_interfaces[nic_id], **changes)))


def with_instance(world: World, iid: str, **changes: Any) -> World:
    return world.evolve(instances=world.instances.set(iid, replace(world.instances[iid], **changes)))


def with_disk(world: World, disk_id: str, **changes: Any) -> World:
    return world.evolve(disks=world.disks.set(disk_id, replace(world.disks[disk_id], **changes)))
