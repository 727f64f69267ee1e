"""Typed helpers that add resources to a world, for building worlds in code (tests, examples, strategies).

They trust their arguments (no rule runs): use them to set up a world, and ``execute`` to change one the way
the API would. Each returns the new resource's id and the new world; ids come from the world's sequence.
``createInstances`` builds its instances with ``add_instance`` too, so a built instance looks exactly like a
created one.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, TypedDict, Unpack

from vmrules.bulk import collector_paused, positional_constructor
from vmrules.consistency import auto_delete_refusal
from vmrules.ids import derive_mac, derive_public_ip
from vmrules.model import (
    DEFAULT_QUOTAS,
    Account,
    Charge,
    Disk,
    DiskAttachment,
    ElasticIp,
    Image,
    Instance,
    InstanceDisk,
    Keypair,
    NetworkInterface,
    Snapshot,
    Subnet,
    SystemDisk,
    Task,
)
from vmrules.state import Batch, BulkBatch, W
from vmrules.usage import instance_usage


@dataclass(frozen=True, slots=True)
class DataDiskPlan:
    """A cloud data disk to create and attach with a new instance. ``auto_delete`` is kept only where it can take
    effect: a disk of a prepaid instance, or a multi-attach one, is attached with autoDelete false."""

    disk_type: str
    size_gb: int
    auto_delete: bool = True
    snapshot_id: str | None = None
    device_name: str | None = None
    name: str = ""
    multi_attachable: bool = False
    encrypted: bool = False


@dataclass(frozen=True, slots=True)
class ElasticIpPlan:
    """An elastic IP to create with a new instance and bind to its primary interface."""

    bandwidth_mbps: int
    provider: str = "bgp"
    charge: Charge | None = None


def allocate_ip(world: W, subnet_id: str) -> tuple[str, W]:
    """The subnet's next free private address (handed out in order, skipping explicitly chosen ones; an
    address is never handed out twice). ``ValueError`` when the subnet has none left (``free_addresses``)."""
    batch = Batch(world)
    ip = _allocate_ip(batch, subnet_id)
    return ip, batch.done()


def reserve_ip(world: W, subnet_id: str, ip: str) -> W:
    """Mark an explicitly chosen address as taken so the allocator never hands it out."""
    batch = Batch(world)
    _reserve_ip(batch, subnet_id, ip)
    return batch.done()


def free_addresses(subnet: Subnet) -> int:
    """How many addresses the allocator can still hand out in ``subnet``: the hosts from ``next_host`` to the
    last before the broadcast address, less those taken by explicitly chosen addresses."""
    # The prefix length alone sizes the subnet (no ipaddress parsing: this runs on every check).
    cidr = subnet.cidr
    last = (1 << (32 - int(cidr[cidr.rindex("/") + 1:]))) - 2  # the broadcast address is never handed out
    reserved = subnet.reserved
    # Usually every reserved offset is inside the subnet: then they are counted without a loop.
    taken = 0 if not reserved else len(reserved) if max(reserved) <= last else sum(1 for r in reserved if r <= last)
    return max(0, last - subnet.next_host + 1 - taken)


def _network_base(cidr: str) -> int:
    """The network address of an IPv4 CIDR as an integer (parsed by hand: this runs on every create)."""
    a, b, c, d = map(int, cidr.split("/", 1)[0].split("."))
    return (a << 24) | (b << 16) | (c << 8) | d


def _dotted(address: int) -> str:
    return f"{address >> 24 & 255}.{address >> 16 & 255}.{address >> 8 & 255}.{address & 255}"


_OCTETS = tuple(str(octet) for octet in range(256))


def _dotted_run(first: int, count: int) -> list[str]:
    """``count`` consecutive addresses from ``first``, dotted: the first three octets are formatted once per
    /24 (a bulk build hands out 100,000 addresses in a run)."""
    out: list[str] = []
    address, stop = first, first + count
    while address < stop:
        block_stop = min((address | 255) + 1, stop)
        prefix = _dotted(address).rpartition(".")[0] + "."
        out += [prefix + octet for octet in _OCTETS[address & 255:(block_stop - 1 & 255) + 1]]
        address = block_stop
    return out


def _allocate_ip(batch: Batch[Any], subnet_id: str) -> str:
    return _allocate_ips(batch, subnet_id, 1)[0]


def _allocate_ips(batch: Batch[Any], subnet_id: str, count: int) -> list[str]:
    """The subnet's next ``count`` free addresses in order, as ``count`` allocations one after another would
    hand them out, with the subnet written once."""
    if count == 0:
        return []
    subnet = batch.subnets[subnet_id]
    if count > free_addresses(subnet):  # handing out past the last host would collide with the next subnet
        raise ValueError(f"subnet {subnet_id} ({subnet.cidr}) has {free_addresses(subnet)} free addresses, "
                         f"{count} asked for")
    base, offset, reserved = _network_base(subnet.cidr), subnet.next_host, subnet.reserved
    if reserved:
        addresses: list[str] = []
        while len(addresses) < count:
            if offset not in reserved:
                addresses.append(_dotted(base + offset))
            offset += 1
        reserved = tuple(r for r in reserved if r >= offset)
    else:
        addresses = _dotted_run(base + offset, count)
        offset += count
    # Built positionally, not with dataclasses.replace (several times slower): tests/test_builders.py pins
    # Subnet's fields so that a new one cannot be dropped here unnoticed.
    batch.put("subnets", subnet_id, Subnet(subnet.subnet_id, subnet.owner, subnet.region, subnet.vpc_id, subnet.az,
                                           subnet.name, subnet.cidr, offset, reserved))
    return addresses


def _reserve_ip(batch: Batch[Any], subnet_id: str, ip: str) -> None:
    """Take ``ip`` in the subnet for a new interface; refused when an interface of the world holds it (one
    address is one interface's: CREATE_INSTANCES.PRIMARY_IP_FREE says so of a request, a builder of a world)."""
    if batch.world.address_user(subnet_id, ip) is not None:
        raise ValueError(f"address {ip} is already in use in {subnet_id}")
    subnet = batch.subnets[subnet_id]
    offset = int(ipaddress.ip_address(ip)) - _network_base(subnet.cidr)
    if offset < subnet.next_host or offset in subnet.reserved:
        return
    batch.put("subnets", subnet_id, replace(subnet, reserved=tuple(sorted((*subnet.reserved, offset)))))


def reindex_subnets(world: W) -> W:
    """Recompute every subnet's ``reserved`` offsets from the interfaces (for worlds built without builders):
    the offsets at or past the subnet's ``next_host`` that some interface's address takes, as ``reserve_ip``
    of each address would leave them. One pass over the interfaces (the snapshot reader runs it)."""
    subnets = world.subnets
    bases: dict[str, int] = {}
    taken: dict[str, set[int]] = {}
    for nic in world.network_interfaces.values():
        subnet = subnets.get(nic.subnet_id)
        if subnet is None:
            continue
        base = bases.get(subnet.subnet_id)
        if base is None:
            base = bases[subnet.subnet_id] = _network_base(subnet.cidr)
        offset = _network_base(nic.private_ip) - base  # an address parses like a prefix without its length
        if offset >= subnet.next_host:
            taken.setdefault(subnet.subnet_id, set()).add(offset)
    changed: dict[str, Subnet] = {}
    for subnet_id, offsets in taken.items():
        subnet = subnets[subnet_id]
        reserved = tuple(sorted(offsets.union(subnet.reserved)))
        if reserved != subnet.reserved:
            changed[subnet_id] = replace(subnet, reserved=reserved)
    return world.evolve(subnets=subnets.update(changed)) if changed else world


def add_account(world: W, pin: str, *, real_name_verified: bool = True,
                quotas: Sequence[tuple[str, int]] | None = None) -> W:
    account = Account(pin, real_name_verified, tuple(quotas) if quotas is not None else DEFAULT_QUOTAS)
    return world.evolve(accounts=world.accounts.set(pin, account))


def add_disk(world: W, *, owner: str, region: str, az: str, disk_type: str, size_gb: int, name: str = "",
             snapshot_id: str | None = None, multi_attachable: bool = False,
             charge: Charge | None = None, status: str = "available",
             attachments: tuple[DiskAttachment, ...] = ()) -> tuple[str, W]:
    batch = Batch(world)
    disk_id = _add_disk(batch, owner=owner, region=region, az=az, disk_type=disk_type, size_gb=size_gb, name=name,
                        snapshot_id=snapshot_id, multi_attachable=multi_attachable, charge=charge, status=status,
                        attachments=attachments)
    return disk_id, batch.done()


def _add_disk(batch: Batch[Any], *, owner: str, region: str, az: str, disk_type: str, size_gb: int, name: str,
              snapshot_id: str | None, multi_attachable: bool, charge: Charge | None, status: str,
              attachments: tuple[DiskAttachment, ...]) -> str:
    disk_id = batch.new_id("vol-")
    disk = Disk(disk_id, owner, region, az, name or disk_id, disk_type, size_gb, status,  # type: ignore[arg-type]
                attachments=attachments, snapshot_id=snapshot_id, multi_attachable=multi_attachable,
                charge=charge or Charge(start_time=batch.clock), create_time=batch.clock)
    batch.put("disks", disk_id, disk)
    return disk_id


def add_network_interface(world: W, *, owner: str, subnet_id: str, security_group_ids: Sequence[str] = (),
                          role: str = "Secondary", private_ip: str | None = None, name: str = "",
                          description: str = "", sanity_check: int = 1, instance_id: str | None = None,
                          device_index: int = 0, auto_delete: bool = False,
                          az: str | None = None) -> tuple[str, W]:
    """An interface in the subnet (attached to ``instance_id`` when given; ``az`` defaults to the subnet's)."""
    batch = Batch(world)
    nic_id = _add_network_interface(batch, owner=owner, subnet_id=subnet_id, security_group_ids=security_group_ids,
                                    role=role, private_ip=private_ip, name=name, description=description,
                                    sanity_check=sanity_check, instance_id=instance_id, device_index=device_index,
                                    auto_delete=auto_delete, az=az)
    return nic_id, batch.done()


def _add_network_interface(batch: Batch[Any], *, owner: str, subnet_id: str, security_group_ids: Sequence[str],
                           role: str, private_ip: str | None, name: str, description: str, sanity_check: int,
                           instance_id: str | None, device_index: int, auto_delete: bool, az: str | None) -> str:
    subnet = batch.subnets[subnet_id]
    nic_id = batch.new_id("port-")
    mac = derive_mac(batch.sequence)
    if private_ip is None:
        private_ip = _allocate_ip(batch, subnet_id)
    else:
        _reserve_ip(batch, subnet_id, private_ip)
    if not security_group_ids:
        default = batch.world.default_security_group(subnet.vpc_id)
        security_group_ids = (default.security_group_id,) if default else ()
    nic = NetworkInterface(nic_id, owner, subnet.region, az or subnet.az, subnet.vpc_id, subnet_id, private_ip,
                           role, name=name, description=description,  # type: ignore[arg-type]
                           security_group_ids=tuple(security_group_ids), mac_address=mac,
                           sanity_check=sanity_check, instance_id=instance_id, device_index=device_index,
                           auto_delete=auto_delete, create_time=batch.clock)
    batch.put("network_interfaces", nic_id, nic)
    return nic_id


def add_elastic_ip(world: W, *, owner: str, region: str, bandwidth_mbps: int = 5, az: str = "",
                   provider: str = "bgp", charge: Charge | None = None) -> tuple[str, W]:
    batch = Batch(world)
    eip_id = _add_elastic_ip(batch, owner=owner, region=region, bandwidth_mbps=bandwidth_mbps, az=az,
                             provider=provider, charge=charge)
    return eip_id, batch.done()


def _add_elastic_ip(batch: Batch[Any], *, owner: str, region: str, bandwidth_mbps: int, az: str, provider: str,
                    charge: Charge | None) -> str:
    eip_id = batch.new_id("fip-")
    eip = ElasticIp(eip_id, owner, region, derive_public_ip(batch.sequence), bandwidth_mbps, provider, az,
                    charge=charge or Charge("postpaid_by_usage", start_time=batch.clock), create_time=batch.clock)
    batch.put("elastic_ips", eip_id, eip)
    return eip_id


def bind_elastic_ip(world: W, eip_id: str, nic_id: str) -> W:
    """Bind an elastic IP to an interface's primary address (and its instance, if attached)."""
    batch = Batch(world)
    _bind_elastic_ip(batch, eip_id, nic_id)
    return batch.done()


def _bind_elastic_ip(batch: Batch[Any], eip_id: str, nic_id: str) -> None:
    nic = batch.network_interfaces[nic_id]
    eip = replace(batch.elastic_ips[eip_id], nic_id=nic_id, private_ip=nic.private_ip, instance_id=nic.instance_id)
    batch.put("elastic_ips", eip_id, eip)
    batch.put("network_interfaces", nic_id, replace(nic, elastic_ip_id=eip_id))


def add_keypair(world: W, *, owner: str, region: str, key_name: str) -> W:
    digest = hashlib.md5(f"{owner}/{region}/{key_name}".encode()).hexdigest()
    fingerprint = ":".join(digest[i:i + 2] for i in range(0, 32, 2))
    key = Keypair(key_name, owner, region, fingerprint, world.clock)
    world = world.evolve(keypairs=world.keypairs.set((owner, region, key_name), key))
    return world.add_usage(owner, region, "keypair", 1)


def add_snapshot(world: W, *, owner: str, region: str, disk_type: str, size_gb: int,
                 source_disk_id: str | None = None, image_id: str | None = None) -> tuple[str, W]:
    snapshot_id, world = world.new_id("snapshot-")
    snap = Snapshot(snapshot_id, owner, region, disk_type, size_gb, "available", source_disk_id, image_id,
                    world.clock)
    return snapshot_id, world.evolve(snapshots=world.snapshots.set(snapshot_id, snap))


def add_image(world: W, image: Image) -> W:
    """Add an image as given (its id must be unused); a private image counts against its owner's quota."""
    world = world.with_image(image)
    if image.source == "private":
        world = world.add_usage(image.owner, image.region, "image", 1)
    return world


class InstanceOptions(TypedDict, total=False):
    """The keyword arguments of ``add_instance`` (every one optional), for ``add_instances``."""

    owner: str | None
    az: str
    name: str
    instance_type: str
    image_id: str
    subnet_id: str
    security_group_ids: Sequence[str]
    system_disk: str
    system_disk_type: str
    system_disk_size_gb: int | None
    system_disk_auto_delete: bool
    data_disks: Sequence[DataDiskPlan]
    status: str
    charge: Charge | None
    ag_id: str | None
    key_names: Sequence[str]
    private_ip: str | None
    launch_time: int | None
    description: str
    hostname: str
    password_digest: str | None
    nic_name: str
    nic_description: str
    sanity_check: int
    task: str | None
    elastic_ip: ElasticIpPlan | None


def add_instance(
    world: W,
    *,
    owner: str | None = None,
    az: str = "cn-north-1a",
    name: str = "vm",
    instance_type: str = "g.n2.medium",
    image_id: str = "img-centos7cld",
    subnet_id: str = "subnet-main00001a",
    security_group_ids: Sequence[str] = (),
    system_disk: str = "cloud",
    system_disk_type: str = "ssd",
    system_disk_size_gb: int | None = None,
    system_disk_auto_delete: bool = True,
    data_disks: Sequence[DataDiskPlan] = (),
    status: str = "running",
    charge: Charge | None = None,
    ag_id: str | None = None,
    key_names: Sequence[str] = (),
    private_ip: str | None = None,
    launch_time: int | None = None,
    description: str = "",
    hostname: str = "",
    password_digest: str | None = None,
    nic_name: str = "",
    nic_description: str = "",
    sanity_check: int = 1,
    task: str | None = None,
    elastic_ip: ElasticIpPlan | None = None,
    instance_id: str | None = None,
) -> tuple[str, W]:
    """Add an instance with its primary interface, system disk and data disks, all attached, counted in quota.

    ``task``, when given, starts that task on the instance (createInstances: ``"createInstances"``);
    ``elastic_ip``, when given, is created in the instance's AZ and bound to its primary interface.
    ``instance_id``, when given, is the new instance's id (it must be free); else the next derived one.

    The system disk is ``local`` (40 GB) or ``cloud`` (a new disk of the image's size unless given).
    Data disks get device names vdb, vdc, ... unless named, and their plan's autoDelete where it can take effect
    (``consistency.auto_delete_refusal``). ``launch_time`` defaults to the world's clock. The instance records
    its image's osType (``Instance.os_type``), which it keeps if the image is later deleted.
    """
    batch = Batch(world)
    [instance_id] = _add_instances(
        batch, 1, owner=owner, az=az, name=name, instance_type=instance_type, image_id=image_id,
        subnet_id=subnet_id, security_group_ids=security_group_ids, system_disk=system_disk,
        system_disk_type=system_disk_type, system_disk_size_gb=system_disk_size_gb,
        system_disk_auto_delete=system_disk_auto_delete, data_disks=data_disks, status=status, charge=charge,
        ag_id=ag_id, key_names=key_names, private_ip=private_ip, launch_time=launch_time, description=description,
        hostname=hostname, password_digest=password_digest, nic_name=nic_name, nic_description=nic_description,
        sanity_check=sanity_check, task=task, elastic_ip=elastic_ip, instance_id=instance_id)
    return instance_id, batch.done()


def add_instances(world: W, count: int, **options: Unpack[InstanceOptions]) -> tuple[list[str], W]:
    """``count`` instances, each exactly as ``add_instance(world, **options)`` would add it, one after another
    (the same ids, addresses, entities and indexes), built in one bulk step: what every instance derives alike
    is derived once, the maps are changed in place (``BulkBatch``) and the indexes extended once, so 100,000
    instances cost a fraction of 100,000 calls of ``add_instance`` (bench/scale.py). The new ids in creation
    order, and the new world."""
    batch = BulkBatch(world)
    with collector_paused():  # only live objects are made here (vmrules.bulk)
        ids = _add_instances(batch, count, **options)
        return ids, batch.done()


# Entities made by the hundred thousand: every field given, in order (vmrules.bulk; tests/test_builders.py
# compares them with the dataclasses' own constructors).
_new_instance = positional_constructor(Instance)
_new_nic = positional_constructor(NetworkInterface)
_new_disk = positional_constructor(Disk)


def _add_instances(
    batch: Batch[Any],
    count: int,
    *,
    owner: str | None = None,
    az: str = "cn-north-1a",
    name: str = "vm",
    instance_type: str = "g.n2.medium",
    image_id: str = "img-centos7cld",
    subnet_id: str = "subnet-main00001a",
    security_group_ids: Sequence[str] = (),
    system_disk: str = "cloud",
    system_disk_type: str = "ssd",
    system_disk_size_gb: int | None = None,
    system_disk_auto_delete: bool = True,
    data_disks: Sequence[DataDiskPlan] = (),
    status: str = "running",
    charge: Charge | None = None,
    ag_id: str | None = None,
    key_names: Sequence[str] = (),
    private_ip: str | None = None,
    launch_time: int | None = None,
    description: str = "",
    hostname: str = "",
    password_digest: str | None = None,
    nic_name: str = "",
    nic_description: str = "",
    sanity_check: int = 1,
    task: str | None = None,
    elastic_ip: ElasticIpPlan | None = None,
    instance_id: str | None = None,
) -> list[str]:
    """``count`` alike instances (``add_instance``'s arguments; ``instance_id`` only for one): first what
    they all derive alike, then each instance's ids (in the order that fixes the sequence: instance,
    interface, system disk, data disks, elastic IP) and entities."""
    if instance_id is not None and count != 1:
        raise ValueError("an explicit instance_id names one instance")
    world = batch.world
    owner = owner or world.default_account
    subnet = batch.subnets[subnet_id]
    region, vpc_id, nic_az = subnet.region, subnet.vpc_id, az or subnet.az
    image = world.images[image_id]
    os_type = image.os_type  # the instance's own record of its OS (Instance.os_type)
    usage = instance_usage(world.instance_types[instance_type])
    clock = world.clock
    charge = charge or Charge(start_time=clock)
    if not security_group_ids:
        default = world.default_security_group(vpc_id)
        security_group_ids = (default.security_group_id,) if default else ()
    group_ids = tuple(security_group_ids)
    if private_ip is None:
        addresses: Sequence[str] = _allocate_ips(batch, subnet_id, count)
    else:
        # One address is one interface's (CREATE_INSTANCES.PRIMARY_IP_SINGLE says so of a request).
        if count != 1:
            raise ValueError("an explicit private_ip names one instance")
        _reserve_ip(batch, subnet_id, private_ip)
        addresses = [private_ip]
    # The disks' charge, only when there is a disk entity to make (not for an instance with a local system
    # disk and no data disks, which most bulk-built worlds hold).
    disk_charge = charge
    if system_disk != "local" or data_disks:
        disk_charge = Charge(charge.mode if charge.mode != "postpaid_by_usage" else "postpaid_by_duration",
                             "normal", clock, charge.expire_time)
    # A data disk is marked autoDelete only where that can take effect (the world's invariant, which deleteInstance
    # and the operations share): a prepaid instance's disks and multi-attach disks survive it.
    auto_deletes = [plan.auto_delete and auto_delete_refusal(disk_charge.mode, plan.multi_attachable) is None
                    for plan in data_disks]
    # and so is a cloud system disk (createInstances stores false on a prepaid instance)
    system_auto_delete = system_disk_auto_delete and auto_delete_refusal(disk_charge.mode, False) is None
    system_size = system_disk_size_gb or image.system_disk_size_gb
    used_names = {"vda"}
    devices: list[str] = []
    for plan in data_disks:
        devices.append(plan.device_name or next_device_name(used_names))
        used_names.add(devices[-1])
    key_names, hostname = tuple(key_names), hostname or name
    launch_time = clock if launch_time is None else launch_time
    eip_charge = (elastic_ip and elastic_ip.charge) or Charge("postpaid_by_usage", start_time=clock)

    # Each instance's ids, in the order that fixes the sequence, all derived up front (Batch.new_ids): the
    # instance's (unless given), its interface's, its disks', its elastic IP's.
    disk_count = (system_disk != "local") + len(data_disks)
    prefixes = ("i-",) * (instance_id is None) + ("port-",) + ("vol-",) * disk_count + ("fip-",) * (
        elastic_ip is not None)
    width = len(prefixes)
    claimed = batch.claim_id(instance_id) if instance_id is not None else ""  # before the ids derived after it
    new_ids, sequences = batch.new_ids(prefixes, len(addresses))
    nic_at = width - 1 - disk_count - (elastic_ip is not None)  # where an instance's interface id stands
    put_disk, put_eip, put_nic, put_instance, put_task = map(
        batch.putter, ("disks", "elastic_ips", "network_interfaces", "instances", "tasks"))
    ids: list[str] = []
    for at, address in zip(range(nic_at, len(new_ids), width), addresses, strict=True):
        iid = new_ids[at - 1] if instance_id is None else claimed
        nic_id = new_ids[at]
        mac = derive_mac(sequences[at])
        at += 1
        sd = _LOCAL_SYSTEM_DISK
        attached: tuple[InstanceDisk, ...] = ()
        if disk_count:
            attachment = (DiskAttachment(iid, "attached", clock),)
            if system_disk != "local":
                sys_id = new_ids[at]
                at += 1
                put_disk(sys_id, _new_disk(
                    sys_id, owner, region, az, f"{name}-system", system_disk_type, system_size, "in-use", "",
                    attachment, image.snapshot_id, False, False, disk_charge, clock))
                sd = SystemDisk("cloud", system_auto_delete, disk_id=sys_id)
            disk_ids = new_ids[at:at + len(data_disks)]
            at += len(data_disks)
            for disk_id, plan in zip(disk_ids, data_disks, strict=True):
                put_disk(disk_id, _new_disk(
                    disk_id, owner, region, az, plan.name or f"{name}-data", plan.disk_type, plan.size_gb, "in-use",
                    "", attachment, plan.snapshot_id, plan.multi_attachable, plan.encrypted, disk_charge, clock))
            attached = tuple(InstanceDisk(disk_id, device, auto_delete, "attached")
                             for disk_id, device, auto_delete in zip(disk_ids, devices, auto_deletes, strict=True))
        seq = sequences[at - 1]  # the instance's creation order: its elastic IP's id comes after it
        eip_id = None
        if elastic_ip is not None:
            eip_id = new_ids[at]
            put_eip(eip_id, ElasticIp(
                eip_id, owner, region, derive_public_ip(sequences[at]), elastic_ip.bandwidth_mbps,
                elastic_ip.provider, az, nic_id, iid, address, eip_charge, clock))
        put_nic(nic_id, _new_nic(
            nic_id, owner, region, nic_az, vpc_id, subnet_id, address, "Primary", nic_name,
            nic_description, group_ids, mac, sanity_check, eip_id, iid, 1, True, clock))
        put_instance(iid, _new_instance(
            iid, owner, region, az, name, instance_type, image_id, os_type, status, vpc_id,  # type: ignore[arg-type]
            subnet_id, nic_id, sd, description, hostname, attached, (), key_names, charge, ag_id, "", launch_time,
            password_digest, None, seq))
        if task is not None:
            put_task(iid, Task(task, iid, clock))
        ids.append(iid)
    if count:
        batch.add_usages(owner, region, [(resource_type, amount * count) for resource_type, amount in usage])
    return ids


_LOCAL_SYSTEM_DISK = SystemDisk("local", True)


def next_device_name(used: set[str] | frozenset[str]) -> str:
    """The first free data-disk device name: vdb, vdc, ... vdz."""
    for letter in "bcdefghijklmnopqrstuvwxyz":
        name = f"vd{letter}"
        if name not in used:
            return name
    raise ValueError("no free device name")  # unreachable: at most 8 data disks
