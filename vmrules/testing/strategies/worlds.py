"""The worlds() strategy: the default world plus generated instances, disks, interfaces, elastic IPs and images."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from hypothesis import strategies as st

from vmrules import builders
from vmrules.defaults import MAIN, MEMBERS, NORTH, SECOND
from vmrules.engine import execute
from vmrules.model import (
    Charge,
    Image,
    ImageDisk,
    Instance,
)
from vmrules.operations import OPERATION_TABLE
from vmrules.testing.strategies.common import DATA_DISK_TYPES, Draw, _owned_instances, _types_for
from vmrules.testing.strategies.texts import names
from vmrules.testing.strategies.valid import valid_requests
from vmrules.world import World

# ==== worlds =========================================================================================

_ALICE_SUBNETS = ("subnet-main00001a", "subnet-main00001b", "subnet-main00001c", "subnet-second001a")
_BOB_SUBNETS = ("subnet-bobnet001a",)
_CLOUD_IMAGES = ("img-centos7cld", "img-ubuntu18cd", "img-win2012r2c", "img-win12sql14", "img-lampthird1")
_LOCAL_IMAGES = ("img-centos7lcl",)


def _charge(draw: Draw, clock: int) -> Charge:
    kind = draw(st.sampled_from(["postpaid"] * 8 + ["prepaid", "arrear", "expired"]))
    if kind == "prepaid":
        return Charge("prepaid_by_duration", "normal", clock - 86400, clock + 86400 * 30)
    if kind == "arrear":
        return Charge("postpaid_by_duration", "arrear", clock - 86400)
    if kind == "expired":
        return Charge("prepaid_by_duration", "normal", clock - 86400 * 60, clock - 86400)
    return Charge("postpaid_by_duration", "normal", clock - 3600)


def _add_generated_instance(draw: Draw, world: World, owner: str, status: str | None = None) -> World:
    """One instance of ``owner``; ``status`` given means a postpaid instance in good standing with a data disk
    (the first instances of a world are such, so that every operation finds a candidate)."""
    subnet_id = draw(st.sampled_from(_ALICE_SUBNETS if owner == MAIN else _BOB_SUBNETS))
    subnet = world.subnets[subnet_id]
    local = draw(st.booleans()) and draw(st.booleans())
    image = world.images[draw(st.sampled_from(_LOCAL_IMAGES if local else _CLOUD_IMAGES))]
    candidates = _types_for(world, subnet.az, image)
    if not candidates:
        return world
    itype = draw(st.sampled_from(candidates))
    groups = sorted(g.security_group_id for g in world.security_groups.values()
                    if g.vpc_id == subnet.vpc_id and g.owner == owner)
    chosen = draw(st.lists(st.sampled_from(groups), min_size=1, max_size=min(3, len(groups)), unique=True))
    plans = draw(st.lists(
        st.builds(builders.DataDiskPlan, disk_type=st.sampled_from(DATA_DISK_TYPES),
                  size_gb=st.integers(2, 50).map(lambda n: n * 10), auto_delete=st.booleans()),
        min_size=0 if status is None else 1, max_size=3,
    ))
    charge = _charge(draw, world.clock) if status is None else Charge("postpaid_by_duration", "normal",
                                                                      world.clock - 3600)
    status = status or draw(st.sampled_from(["running"] * 3 + ["stopped"] * 3 + ["error"]))
    _, world = builders.add_instance(
        world, owner=owner, az=subnet.az, name=draw(names(max_size=12)), instance_type=itype,
        image_id=image.image_id, subnet_id=subnet_id, security_group_ids=chosen,
        system_disk="local" if local else "cloud", data_disks=plans, status=status, charge=charge,
    )
    return world


def _add_private_image(draw: Draw, world: World, owner: str, others: Sequence[str], plain: bool = False,
                       unshared: bool = False) -> World:
    """A private image of ``owner``; ``plain``: a cloud-disk image that is not whole-machine; ``unshared``:
    shared with nobody (so that every generated world has an image deleteImage accepts)."""
    image_id, world = world.new_id("img-")
    cloud = plain or draw(st.integers(0, 4)) > 0
    whole = not plain and cloud and draw(st.integers(0, 3)) == 0
    snapshot_id: str | None = None
    disks: tuple[ImageDisk, ...] = ()
    if cloud:
        snapshot_id, world = builders.add_snapshot(world, owner=owner, region=NORTH, disk_type="ssd", size_gb=40,
                                                   image_id=image_id)
    if whole:
        data_snapshot, world = builders.add_snapshot(world, owner=owner, region=NORTH, disk_type="ssd",
                                                     size_gb=100, image_id=image_id)
        disks = (ImageDisk("vdb", "ssd", 100, data_snapshot),)
    shared = () if whole or unshared else tuple(
        draw(st.lists(st.sampled_from(list(others)), max_size=3, unique=True)))
    windows = cloud and draw(st.integers(0, 4)) == 0
    image = Image(
        image_id, owner, NORTH, draw(names(max_size=16)), "private",
        "Windows Server" if windows else "CentOS", "windows" if windows else "linux",
        "2012 R2" if windows else "7.6", "cloudDisk" if cloud else "localDisk", 40,
        status="ready", create_time=world.clock, size_mb=10240, snapshot_id=snapshot_id, data_disks=disks,
        shared_with=shared,
    )
    return builders.add_image(world, image)


def _add_free_resources(draw: Draw, world: World, owner: str) -> World:
    azs = ("cn-north-1a", "cn-north-1b") if owner == MAIN else ("cn-north-1a",)
    for _ in range(draw(st.integers(0, 3))):
        disk_type = draw(st.sampled_from(DATA_DISK_TYPES))
        _, world = builders.add_disk(
            world, owner=owner, region=NORTH, az=draw(st.sampled_from(azs)), disk_type=disk_type,
            size_gb=draw(st.integers(2, 100)) * 10, multi_attachable=draw(st.integers(0, 4)) == 0,
        )
    _, world = builders.add_elastic_ip(world, owner=owner, region=NORTH, az="")
    for _ in range(draw(st.integers(0, 2))):
        _, world = builders.add_elastic_ip(world, owner=owner, region=NORTH, az=draw(st.sampled_from(("", *azs))),
                                           bandwidth_mbps=draw(st.integers(1, 100)))
    subnets = ("subnet-main00001a", "subnet-second001a") if owner == MAIN else _BOB_SUBNETS
    for _ in range(draw(st.integers(1, 3))):
        _, world = builders.add_network_interface(world, owner=owner, subnet_id=draw(st.sampled_from(subnets)))
    return world


def _bind_some_elastic_ips(draw: Draw, world: World, owner: str) -> World:
    free = sorted(e.elastic_ip_id for e in world.elastic_ips.values()
                  if e.owner == owner and e.nic_id is None and e.az == "")
    bare = sorted(i.primary_nic_id for i in world.instances.values()
                  if i.owner == owner and world.network_interfaces[i.primary_nic_id].elastic_ip_id is None)
    for n, (eip_id, nic_id) in enumerate(zip(free, bare, strict=False)):
        if n == 0 or draw(st.booleans()):
            world = builders.bind_elastic_ip(world, eip_id, nic_id)
    return world


def _start_tasks(draw: Draw, world: World) -> World:
    """Leave some power operations in progress (tasks that ``settle`` completes)."""
    for _ in range(draw(st.integers(0, 2))):
        op = draw(st.sampled_from(["stopInstance", "startInstance", "rebootInstance"]))
        if op not in OPERATION_TABLE:
            continue
        params = draw(valid_requests(world, op))
        outcome = execute(world, op, params)
        if outcome.ok:
            world = outcome.world
    return world


def _attach_some_interfaces(draw: Draw, world: World, owner: str) -> World:
    """Attach some free secondary interfaces to instances of the same vpc (as attachNetworkInterface would)."""
    first = True
    for nic in sorted(world.network_interfaces.values(), key=lambda n: n.nic_id):
        if nic.owner != owner or nic.instance_id is not None or nic.role != "Secondary":
            continue
        if not first and not draw(st.booleans()):
            continue
        if nic.elastic_ip_id is not None:
            continue
        hosts = [i for i in _owned_instances(world, owner)
                 if i.vpc_id == nic.vpc_id
                 and 1 + len(i.secondary_nic_ids) < world.instance_types[i.instance_type].nic_limit]
        if not hosts:
            continue
        first = False
        inst: Instance = draw(st.sampled_from(hosts))
        used = {world.network_interfaces[n].device_index for n in inst.secondary_nic_ids}
        index = min(i for i in range(2, 9) if i not in used)
        world = world.evolve(
            network_interfaces=world.network_interfaces.set(nic.nic_id, dataclasses.replace(
                nic, instance_id=inst.instance_id, device_index=index, auto_delete=draw(st.booleans()))),
            instances=world.instances.set(inst.instance_id, dataclasses.replace(
                inst, secondary_nic_ids=(*inst.secondary_nic_ids, nic.nic_id))),
        )
    return world


@st.composite
def _worlds(draw: Draw, max_instances: int, busy: bool, bob: bool) -> World:
    world = World.default()
    for n in range(draw(st.integers(min(2, max_instances), max_instances))):
        world = _add_generated_instance(draw, world, MAIN, ("running", "stopped")[n] if n < 2 else None)
    world = _add_free_resources(draw, world, MAIN)
    world = _attach_some_interfaces(draw, world, MAIN)
    others = [SECOND, *MEMBERS[:3]]
    for n in range(draw(st.integers(2, 4))):
        world = _add_private_image(draw, world, MAIN, others, plain=n < 2, unshared=n == 0)
    if bob:
        for _ in range(draw(st.integers(0, 2))):
            world = _add_generated_instance(draw, world, SECOND)
        world = _add_free_resources(draw, world, SECOND)
        if draw(st.booleans()):
            world = _add_private_image(draw, world, SECOND, [MAIN])
    world = _bind_some_elastic_ips(draw, world, MAIN)
    if busy and draw(st.booleans()):
        world = _start_tasks(draw, world)
    return world


def worlds(*, max_instances: int = 6, busy: bool = True, bob: bool = True) -> st.SearchStrategy[World]:
    """The default world plus generated resources.

    ``max_instances`` instances of the default account (running, stopped or error; local or cloud system
    disks; 0-3 data disks; postpaid, prepaid, expired or in arrears), free disks, elastic IPs and secondary
    interfaces, private images (some whole-machine, some shared). ``bob`` adds resources of the second
    account (bob), ``busy`` sometimes leaves power operations in progress.
    """
    return _worlds(max_instances, busy, bob)
