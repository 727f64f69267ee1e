"""The consistency of a world: every invariant the engine relies on, as one definition used by the snapshot loader
(which refuses a world that breaks one) and by the property suite (which checks it after every step).

``inconsistencies(world)`` yields each broken invariant as an ``Inconsistency`` naming the entry by its
snapshot collection, its key and the member concerned (``disks['vol-1'].attachments[1]``); the reader turns
the key into the entry's position in the document (``disks[3].attachments[1]``). The invariants, in order:

* the clock is at most ``clock.MAX_CLOCK`` (9990-01-01T00:00:00Z); the world's default account is an account;
  quota limits are not negative and each resource type is listed once; every instance type is offered only in
  known availability zones and has at least 1 CPU, 1 MB of memory and 1 interface (``nicLimit``);
* every entity is stored under its own id, belongs to an account (official and third-party images: to the
  platform) in a known region and, where it has one, an availability zone of that region; every status,
  charge mode, role and osType is in its enum;
* an instance holds at most 8 data disks (local system disk) or 7 (cloud system disk) and at most as many
  interfaces as its type's ``nicLimit`` (primary included), no disk, interface or device name twice; its
  primary interface has 1 to 5 security groups and is at deviceIndex 1, and each attached secondary interface
  is at a deviceIndex of its own in 2 to 8 (0 means not attached); a data disk it marks autoDelete true is one
  deleteInstance deletes (billed by configuration and not multi-attach: ``auto_delete_refusal``); its osType is
  its image's while that image exists (an image's OS never changes; rebuildInstance changes both together);
* an image is public or third-party and owned by the platform, or private and owned by an account; it is shared
  with at most 20 accounts, each an account of the world, none twice;
* usage counters equal a recount of the world and never exceed the instance, cpu, memory and image quotas;
* a disk is attached to at most one instance (a multi-attach disk to at most 16), none twice, and the disk-side
  and instance-side attachment records agree;
* an elastic IP is bound to at most one interface, an interface carries at most one elastic IP, both sides of
  the binding agree, and both belong to the same account and region;
* VPC and subnet prefixes are IPv4 networks, a subnet's inside its VPC's, and a subnet's next host offset is
  within it (0 to its size); an interface's address is an IPv4 address inside its subnet, and no two
  interfaces of a subnet share one;
* every reference resolves, to a resource of the same account and region (images excepted: an account may run
  an instance from an official, third-party or shared image, and an instance's private image may be gone);
  a task is on an existing resource and of a kind some completion handles (``model.TASK_KINDS``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from vmrules.clock import MAX_CLOCK, iso
from vmrules.model import (
    ATTACHMENT_STATUSES,
    CHARGE_MODES,
    CHARGE_STATUSES,
    DISK_STATUSES,
    IMAGE_STATUSES,
    INSTANCE_STATUSES,
    OS_TYPES,
    PLATFORM_OWNER,
    TASK_KINDS,
    Charge,
    Disk,
    Instance,
)
from vmrules.state import WorldState
from vmrules.usage import recount_usage

MAX_DATA_DISKS_LOCAL = 8
MAX_DATA_DISKS_CLOUD = 7
MAX_SECURITY_GROUPS = 5
MAX_IMAGE_SHARES = 20
MAX_MULTI_ATTACH = 16
# Quotas the world must never exceed (keypair and template quotas are enforced by operations outside the 35).
LIMITED_USAGE = ("instance", "instance_cpu", "instance_memory", "image")
# Device indexes of an instance's interfaces (fact sheet 2.3): 0 means not attached, the primary is at 1.
PRIMARY_DEVICE_INDEX = 1
SECONDARY_DEVICE_INDEXES = range(2, 9)


# ---- autoDelete: where it can take effect ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AutoDeleteRefusal:
    """Why ``autoDelete: true`` cannot take effect on a disk: ``cause`` is ``"billing"`` (not billed by
    configuration) or ``"shared"`` (multi-attach); ``reason`` says it in a sentence's second half."""

    cause: Literal["billing", "shared"]
    reason: str


def auto_delete_refusal(charge_mode: str, multi_attachable: bool) -> AutoDeleteRefusal | None:
    """Why ``autoDelete: true`` cannot take effect on a disk billed ``charge_mode`` (None when it can): the one
    definition of a data disk that goes with its instance. The SDK: 此参数仅对按配置计费的非多点挂载云硬盘生效, so only
    a disk billed by configuration (``postpaid_by_duration``) that is not multi-attach. attachDisk,
    createInstances and modifyInstanceDiskAttribute refuse ``true`` where this gives a reason, deleteInstance
    deletes a disk marked ``true`` exactly where it gives none, and a consistent world marks no other disk
    ``true``. The billing reason comes first (a prepaid multi-attach disk is refused for its billing)."""
    if charge_mode == "prepaid_by_duration":
        return AutoDeleteRefusal("billing", "it is prepaid (prepaid_by_duration), and a prepaid disk always "
                                            "survives its instance")
    if charge_mode != "postpaid_by_duration":
        billed = "by usage (postpaid_by_usage)" if charge_mode == "postpaid_by_usage" else repr(charge_mode[:32])
        return AutoDeleteRefusal("billing", f"it is billed {billed}, and only a disk billed by configuration "
                                            "(postpaid_by_duration) is deleted with its instance")
    if multi_attachable:
        return AutoDeleteRefusal("shared", "it is a multi-attach (shared) disk, which is never deleted with one "
                                           "of its instances")
    return None


def auto_deletable(disk: Disk) -> bool:
    """A data disk that goes with its instance when marked autoDelete (``auto_delete_refusal`` gives no reason)."""
    return auto_delete_refusal(disk.charge.mode, disk.multi_attachable) is None


@dataclass(frozen=True, slots=True)
class Inconsistency:
    """One broken invariant: where (snapshot collection, key of the entry, member inside it) and what."""

    collection: str  # "instances", "disks", ...; "" for a member of the world itself (``defaultAccount``)
    key: Any  # the entry's key in its map (an id; (owner, region, name) for keypairs and client tokens)
    member: str  # the path inside the entry in snapshot names (".attachments[1].instanceId"), "" for the entry
    message: str

    @property
    def path(self) -> str:
        if not self.collection:
            return self.member.lstrip(".")
        return f"{self.collection}[{self.key!r}]{self.member}"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def inconsistencies(world: WorldState) -> Iterator[Inconsistency]:
    """Every invariant ``world`` breaks, in the order of the module's list; nothing when it is consistent."""
    for check in (_world, _keys, _places, _enums, _instances, _images, _usage, _disks, _elastic_ips,
                  _interfaces, _networks, _addresses, _templates, _tasks):
        yield from check(world)


def first_inconsistency(world: WorldState) -> Inconsistency | None:
    return next(inconsistencies(world), None)


# ---- the world, accounts and types -----------------------------------------------------------------------


def _world(world: WorldState) -> Iterator[Inconsistency]:
    if world.clock > MAX_CLOCK:  # operations put times up to 3 years ahead of it, and those must show
        yield Inconsistency("", None, "clock", f"the clock {iso(world.clock)} is past {iso(MAX_CLOCK)}, the latest "
                                               "it may be (times derived from it need a four-digit year)")
    if world.default_account and world.default_account not in world.accounts:
        yield Inconsistency("", None, "defaultAccount", f"unknown account {world.default_account!r} (not in accounts)")
    for pin, account in world.accounts.items():
        seen: set[str] = set()
        for j, (resource_type, limit) in enumerate(account.quotas):
            if limit < 0:
                yield Inconsistency("accounts", pin, f".quotas[{j}].limit",
                                    f"quota {resource_type} of {pin} is negative ({limit})")
            if resource_type in seen:
                yield Inconsistency("accounts", pin, f".quotas[{j}].resourceType",
                                    f"quota {resource_type} of {pin} is listed twice")
            seen.add(resource_type)
    azs = {az for region in world.regions.values() for az in region.azs}
    for name, itype in world.instance_types.items():
        for j, stock in enumerate(itype.state):
            if stock.az not in azs:
                yield Inconsistency("instanceTypes", name, f".state[{j}].az", f"unknown availability zone {stock.az!r}")
        # an instance of the type adds its CPUs and memory to the usage, and holds its primary interface
        for member, value in (("cpu", itype.cpu), ("memoryMB", itype.memory_mb), ("nicLimit", itype.nic_limit)):
            if value < 1:
                yield Inconsistency("instanceTypes", name, f".{member}", f"{name} has {member} {value}; at least 1")


# ---- identity, places and enums --------------------------------------------------------------------------

# (snapshot collection, world map, id attribute, what it is called in messages)
_ENTITY_MAPS: tuple[tuple[str, str, str, str], ...] = (
    ("instances", "instances", "instance_id", "instance"),
    ("images", "images", "image_id", "image"),
    ("disks", "disks", "disk_id", "disk"),
    ("networkInterfaces", "network_interfaces", "nic_id", "interface"),
    ("elasticIps", "elastic_ips", "elastic_ip_id", "elastic IP"),
    ("vpcs", "vpcs", "vpc_id", "vpc"),
    ("subnets", "subnets", "subnet_id", "subnet"),
    ("securityGroups", "security_groups", "security_group_id", "security group"),
    ("snapshots", "snapshots", "snapshot_id", "snapshot"),
    ("instanceTemplates", "templates", "template_id", "template"),
    ("availabilityGroups", "availability_groups", "ag_id", "availability group"),
    ("tasks", "tasks", "resource_id", "task"),
)


def _keys(world: WorldState) -> Iterator[Inconsistency]:
    for collection, attribute, id_field, kind in _ENTITY_MAPS:
        for key, entity in getattr(world, attribute).items():
            if getattr(entity, id_field) != key:
                yield Inconsistency(collection, key, "", f"{kind} stored under {key!r} has id "
                                                         f"{getattr(entity, id_field)!r}")
    for key, keypair in world.keypairs.items():
        if (keypair.owner, keypair.region, keypair.key_name) != key:
            yield Inconsistency("keypairs", key, "", f"keypair stored under {key!r} is {keypair.key_name!r} "
                                                     f"of {keypair.owner}")


# Collections whose entries have an owner and a region (and an az where the attribute is named).
_PLACED: tuple[tuple[str, str, str | None], ...] = (
    ("images", "images", None), ("vpcs", "vpcs", None), ("subnets", "subnets", "az"),
    ("securityGroups", "security_groups", None), ("networkInterfaces", "network_interfaces", "az"),
    ("elasticIps", "elastic_ips", "az"), ("disks", "disks", "az"), ("snapshots", "snapshots", None),
    ("keypairs", "keypairs", None), ("instances", "instances", "az"),
    ("instanceTemplates", "templates", None), ("availabilityGroups", "availability_groups", None),
)


def _places(world: WorldState) -> Iterator[Inconsistency]:
    for collection, attribute, az_field in _PLACED:
        for key, entity in getattr(world, attribute).items():
            platform_ok = collection == "images" and entity.source != "private"
            if entity.owner not in world.accounts and not (platform_ok and entity.owner == PLATFORM_OWNER):
                yield Inconsistency(collection, key, ".ownerPin", f"unknown account {entity.owner!r} (not in accounts)")
            region = world.regions.get(entity.region)
            if region is None:
                yield Inconsistency(collection, key, ".regionId", f"unknown region {entity.region!r} (not in regions)")
                continue
            az = getattr(entity, az_field) if az_field else None
            if az and az not in region.azs:
                yield Inconsistency(collection, key, ".az", f"{az!r} is not an availability zone of {entity.region} "
                                                            f"({', '.join(region.azs)})")
    for key in world.client_tokens:
        pin, region_id, _ = key
        if pin not in world.accounts:
            yield Inconsistency("clientTokens", key, ".ownerPin", f"unknown account {pin!r} (not in accounts)")
        if region_id not in world.regions:
            yield Inconsistency("clientTokens", key, ".regionId", f"unknown region {region_id!r} (not in regions)")


def _charge_problems(collection: str, key: str, kind: str, charge: Charge | None) -> Iterator[Inconsistency]:
    if charge is None or (charge.mode in CHARGE_MODES and charge.status in CHARGE_STATUSES):
        return
    what = f"{kind} {key}"
    if charge.mode not in CHARGE_MODES:
        yield Inconsistency(collection, key, ".charge.chargeMode",
                            f"{what} has charge mode {charge.mode!r}, not one of {CHARGE_MODES}")
    if charge.status not in CHARGE_STATUSES:
        yield Inconsistency(collection, key, ".charge.chargeStatus",
                            f"{what} has charge status {charge.status!r}, not one of {CHARGE_STATUSES}")


def _enums(world: WorldState) -> Iterator[Inconsistency]:
    for iid, inst in world.instances.items():
        if inst.status not in INSTANCE_STATUSES:
            yield Inconsistency("instances", iid, ".status", f"instance {iid} has status {inst.status!r}")
        if inst.os_type not in OS_TYPES:
            yield Inconsistency("instances", iid, ".osType", f"instance {iid} has osType {inst.os_type!r}")
        if inst.system_disk.category not in ("local", "cloud"):
            yield Inconsistency("instances", iid, ".systemDisk.diskCategory",
                                f"instance {iid} has system disk category {inst.system_disk.category!r}")
        for j, dd in enumerate(inst.data_disks):
            if dd.status not in ATTACHMENT_STATUSES:
                yield Inconsistency("instances", iid, f".dataDisks[{j}].status",
                                    f"instance {iid} data disk {dd.disk_id} has status {dd.status!r}")
        yield from _charge_problems("instances", iid, "instance", inst.charge)
        if inst.charge is not None and inst.charge.mode == "postpaid_by_usage":
            yield Inconsistency("instances", iid, ".charge.chargeMode",
                                f"instance {iid} is billed by usage, which instances cannot be")
    for image_id, image in world.images.items():
        if image.status not in IMAGE_STATUSES:
            yield Inconsistency("images", image_id, ".status", f"image {image_id} has status {image.status!r}")
        if image.os_type not in OS_TYPES:
            yield Inconsistency("images", image_id, ".osType", f"image {image_id} has osType {image.os_type!r}")
        if image.root_device_type not in ("localDisk", "cloudDisk"):
            yield Inconsistency("images", image_id, ".rootDeviceType",
                                f"image {image_id} has rootDeviceType {image.root_device_type!r}")
        if image.source not in ("public", "thirdparty", "private"):
            yield Inconsistency("images", image_id, ".imageSource", f"image {image_id} has source {image.source!r}")
    for disk_id, disk in world.disks.items():
        if disk.status not in DISK_STATUSES:
            yield Inconsistency("disks", disk_id, ".status", f"disk {disk_id} has status {disk.status!r}")
        for j, a in enumerate(disk.attachments):
            if a.status not in ATTACHMENT_STATUSES:
                yield Inconsistency("disks", disk_id, f".attachments[{j}].status",
                                    f"disk {disk_id} attachment to {a.instance_id} has status {a.status!r}")
        yield from _charge_problems("disks", disk_id, "disk", disk.charge)
    for nic_id, nic in world.network_interfaces.items():
        if nic.role not in ("Primary", "Secondary"):
            yield Inconsistency("networkInterfaces", nic_id, ".networkInterfaceType", f"interface {nic_id} has role "
                                                                                      f"{nic.role!r}")
        if not 0 <= nic.device_index <= 8:
            yield Inconsistency("networkInterfaces", nic_id, ".deviceIndex",
                                f"interface {nic_id} has deviceIndex {nic.device_index}, outside 0..8")
        if nic.sanity_check not in (0, 1):
            yield Inconsistency("networkInterfaces", nic_id, ".sanityCheck",
                                f"interface {nic_id} has sanityCheck {nic.sanity_check}")
    for eip_id, eip in world.elastic_ips.items():
        yield from _charge_problems("elasticIps", eip_id, "elastic IP", eip.charge)


# ---- instances -------------------------------------------------------------------------------------------


def _known_device_index(index: int) -> bool:
    """An index in 0..8 (one outside is reported on the interface alone, by ``_enums``)."""
    return 0 <= index <= 8


def _marked_auto_delete_refused(world: WorldState, disk_id: str, *, system_disk: bool) -> AutoDeleteRefusal | None:
    """Why a disk an instance marks autoDelete true cannot go with it; None when it can, or when the disk is
    missing or its charge mode unknown (both reported on their own). A system disk is never read as shared."""
    disk = world.disks.get(disk_id)
    if disk is None or disk.charge.mode not in CHARGE_MODES:
        return None
    return auto_delete_refusal(disk.charge.mode, disk.multi_attachable and not system_disk)


def _instances(world: WorldState) -> Iterator[Inconsistency]:
    for inst in world.instances.values():
        yield from _instance(world, inst)


def _instance(world: WorldState, inst: Instance) -> Iterator[Inconsistency]:
    iid = inst.instance_id

    def at(member: str, message: str) -> Inconsistency:
        return Inconsistency("instances", iid, member, message)

    itype = world.instance_types.get(inst.instance_type)
    if itype is None:
        yield at(".instanceType", f"instance {iid} has unknown instance type {inst.instance_type!r}")
    image = world.images.get(inst.image_id)
    if image is not None and image.region != inst.region:
        yield at(".imageId", f"instance {iid} runs image {inst.image_id} of region {image.region}, not {inst.region}")
    if image is not None and image.os_type != inst.os_type:
        # An image's OS never changes, and an instance takes its image's when created and when rebuilt.
        yield at(".osType", f"instance {iid} has osType {inst.os_type!r}, but its image {inst.image_id} is "
                            f"{image.os_type!r}")
    subnet = world.subnets.get(inst.subnet_id)
    if subnet is None:
        yield at(".subnetId", f"instance {iid} is in unknown subnet {inst.subnet_id!r}")
    elif (subnet.owner, subnet.region) != (inst.owner, inst.region):
        yield at(".subnetId", f"instance {iid} of {inst.owner} is in subnet {inst.subnet_id} of "
                              f"{subnet.owner}/{subnet.region}")
    elif subnet.vpc_id != inst.vpc_id:
        yield at(".vpcId", f"{inst.vpc_id!r} is not the VPC of subnet {inst.subnet_id} ({subnet.vpc_id})")
    if inst.vpc_id not in world.vpcs:
        yield at(".vpcId", f"instance {iid} is in unknown vpc {inst.vpc_id!r}")
    if inst.ag_id is not None:
        ag = world.availability_groups.get(inst.ag_id)
        if ag is None:
            yield at(".ag.id", f"instance {iid} is in unknown availability group {inst.ag_id!r}")
        elif ag.owner != inst.owner:
            yield at(".ag.id", f"instance {iid} of {inst.owner} is in availability group {inst.ag_id} of {ag.owner}")

    # -- interfaces
    primary = world.network_interfaces.get(inst.primary_nic_id)
    where = ".primaryNetworkInterface.networkInterface.networkInterfaceId"
    if primary is None or primary.instance_id != iid:
        yield at(where, f"interface {inst.primary_nic_id!r} is not attached to {iid} (its instanceId must be {iid})")
    else:
        if primary.role != "Primary":
            yield at(where, f"instance {iid} primary interface {primary.nic_id} has role {primary.role}")
        if primary.subnet_id != inst.subnet_id:
            yield at(where, f"instance {iid} primary interface {primary.nic_id} is in subnet {primary.subnet_id}")
        groups = len(primary.security_group_ids)
        if not 1 <= groups <= MAX_SECURITY_GROUPS:
            yield at(where, f"instance {iid} primary interface {primary.nic_id} has {groups} security groups; "
                            f"allowed 1 to {MAX_SECURITY_GROUPS}")
        if primary.device_index != PRIMARY_DEVICE_INDEX and _known_device_index(primary.device_index):
            yield Inconsistency("networkInterfaces", primary.nic_id, ".deviceIndex",
                                f"interface {primary.nic_id} is the primary interface of {iid} at deviceIndex "
                                f"{primary.device_index}; a primary interface is at {PRIMARY_DEVICE_INDEX}")
    nic_ids = (inst.primary_nic_id, *inst.secondary_nic_ids)
    if len(nic_ids) > 1 and len(set(nic_ids)) != len(nic_ids):
        yield at(".secondaryNetworkInterfaces", f"instance {iid} lists an interface twice: {nic_ids}")
    taken: dict[int, str] = {}  # device index -> the first secondary interface listed at it
    for j, nic_id in enumerate(inst.secondary_nic_ids):
        nic = world.network_interfaces.get(nic_id)
        where = f".secondaryNetworkInterfaces[{j}].networkInterface.networkInterfaceId"
        if nic is None or nic.instance_id != iid:
            yield at(where, f"interface {nic_id!r} is not attached to {iid} (its instanceId must be {iid})")
            continue
        if nic.role != "Secondary":  # (and its deviceIndex says nothing more)
            yield at(where, f"instance {iid} secondary interface {nic_id} has role {nic.role}")
        elif (index := nic.device_index) not in SECONDARY_DEVICE_INDEXES:
            if _known_device_index(index):
                meaning = "which means not attached" if index == 0 else "the primary interface's"
                yield Inconsistency("networkInterfaces", nic_id, ".deviceIndex",
                                    f"interface {nic_id} is a secondary interface of {iid} at deviceIndex {index}, "
                                    f"{meaning}; an attached secondary interface is at 2 to 8")
        elif taken.setdefault(index, nic_id) != nic_id:  # (one listed twice is reported above)
            yield Inconsistency("networkInterfaces", nic_id, ".deviceIndex",
                                f"interface {nic_id} is at deviceIndex {index} of {iid}, as is interface "
                                f"{taken[index]}; each secondary interface has its own")
        if nic.vpc_id != inst.vpc_id:
            yield at(where, f"instance {iid} secondary interface {nic_id} is in vpc {nic.vpc_id}, not {inst.vpc_id}")
    if itype is not None and len(nic_ids) > itype.nic_limit:
        yield at(".secondaryNetworkInterfaces", f"instance {iid} has {len(nic_ids)} interfaces; type "
                                                f"{itype.instance_type} allows {itype.nic_limit}")

    # -- disks
    system = inst.system_disk
    limit = MAX_DATA_DISKS_LOCAL if system.category == "local" else MAX_DATA_DISKS_CLOUD
    if len(inst.data_disks) > limit:
        yield at(".dataDisks", f"instance {iid} has {len(inst.data_disks)} data disks; a {system.category} "
                               f"system disk allows {limit}")
    # (the data disk's position, None for the system disk; disk id; the attachment status the instance records,
    # None for the system disk). The member path is spelt out only for a problem.
    listed: list[tuple[int | None, str, str | None]] = [
        (j, dd.disk_id, dd.status) for j, dd in enumerate(inst.data_disks)] if inst.data_disks else []
    if system.category == "cloud":
        if system.disk_id is None:
            yield at(".systemDisk.cloudDisk.diskId", f"instance {iid} has a cloud system disk without a disk id")
        else:
            listed.insert(0, (None, system.disk_id, None))
    disk_ids = [disk_id for _, disk_id, _ in listed]
    if len(disk_ids) > 1 and len(set(disk_ids)) != len(disk_ids):
        yield at(".dataDisks", f"instance {iid} lists a disk twice: {disk_ids}")
    devices = [system.device_name, *(dd.device_name for dd in inst.data_disks)] if inst.data_disks else []
    if len(set(devices)) != len(devices):
        yield at(".dataDisks", f"instance {iid} uses a device name twice: {devices}")
    if system.category == "cloud" and system.auto_delete and system.disk_id is not None:
        why = _marked_auto_delete_refused(world, system.disk_id, system_disk=True)
        if why is not None:
            yield at(".systemDisk.autoDelete", f"instance {iid} marks its system disk {system.disk_id} autoDelete "
                                               f"true, but it cannot be deleted with its instance: {why.reason}")
    for j, dd in enumerate(inst.data_disks):
        why = _marked_auto_delete_refused(world, dd.disk_id, system_disk=False) if dd.auto_delete else None
        if why is not None:
            yield at(f".dataDisks[{j}].autoDelete", f"instance {iid} marks data disk {dd.disk_id} autoDelete true, "
                                                    f"but it cannot be deleted with its instance: {why.reason}")
    for position, disk_id, status in listed:
        where = ".systemDisk.cloudDisk.diskId" if position is None else f".dataDisks[{position}].cloudDisk.diskId"
        disk = world.disks.get(disk_id)
        sides = [a for a in disk.attachments if a.instance_id == iid] if disk is not None else []
        if disk is None or not sides:
            yield at(where, f"disk {disk_id!r} does not list {iid} in its attachments")
            continue
        if (disk.owner, disk.region) != (inst.owner, inst.region):
            yield at(where, f"instance {iid} of {inst.owner}/{inst.region} has disk {disk_id} of "
                            f"{disk.owner}/{disk.region}")
        if status is not None and sides[0].status != status:
            yield at(where, f"instance {iid} sees disk {disk_id} as {status}, the disk sees the attachment as "
                            f"{sides[0].status}")


# ---- images ----------------------------------------------------------------------------------------------


def _images(world: WorldState) -> Iterator[Inconsistency]:
    for image_id, image in world.images.items():
        if image.source == "private" and image.owner == PLATFORM_OWNER:
            yield Inconsistency("images", image_id, ".ownerPin",
                                "a private image belongs to an account, not to the platform")
        if image.source in ("public", "thirdparty") and image.owner != PLATFORM_OWNER:
            yield Inconsistency("images", image_id, ".ownerPin", f"image {image_id} is {image.source} but owned by "
                                                                 f"{image.owner} (only the platform owns one)")
        shares = image.shared_with
        if len(shares) > MAX_IMAGE_SHARES:
            yield Inconsistency("images", image_id, ".sharedWith", f"image {image_id} is shared with {len(shares)} "
                                                                   f"accounts; "
                                                                   f"at most {MAX_IMAGE_SHARES} allowed")
        if len(set(shares)) != len(shares):
            yield Inconsistency("images", image_id, ".sharedWith", f"image {image_id} lists an account twice in its "
                                                                   f"shares: "
                                                                   f"{shares}")
        for j, pin in enumerate(shares):
            if pin not in world.accounts:
                yield Inconsistency("images", image_id, f".sharedWith[{j}]", f"unknown account {pin!r} "
                                                                             "(not in accounts)")
        if shares and image.source != "private":
            yield Inconsistency("images", image_id, ".sharedWith", f"image {image_id} is {image.source} yet has a "
                                                                   f"share list")


# ---- usage -----------------------------------------------------------------------------------------------


def _usage(world: WorldState) -> Iterator[Inconsistency]:
    counted = {k: v for k, v in recount_usage(world).items() if v != 0}
    stored = {k: v for k, v in world.usage.items() if v != 0}
    for key in sorted(set(counted) | set(stored)):
        if counted.get(key, 0) != stored.get(key, 0):
            yield Inconsistency("usage", key, "", f"usage {key} is {stored.get(key, 0)}; a recount of the world "
                                                  f"gives {counted.get(key, 0)}")
    for key, used in sorted(stored.items()):
        pin, region, resource_type = key
        if used < 0:
            yield Inconsistency("usage", key, "", f"usage {key} is negative ({used})")
        account = world.accounts.get(pin)
        if account is None:
            yield Inconsistency("usage", key, "", f"usage {key} counts for {pin!r}, not an account")
        elif resource_type in LIMITED_USAGE and used > account.quota(resource_type):
            types = [t for t, _ in account.quotas]
            member = f".quotas[{types.index(resource_type)}].limit" if resource_type in types else ".quotas"
            yield Inconsistency("accounts", pin, member, f"{pin} uses {used} {resource_type} in {region}; the quota "
                                                         f"is {account.quota(resource_type)}")


# ---- disks -----------------------------------------------------------------------------------------------


def _disks(world: WorldState) -> Iterator[Inconsistency]:
    for disk_id, disk in world.disks.items():
        holders = [a.instance_id for a in disk.attachments]
        cap = MAX_MULTI_ATTACH if disk.multi_attachable else 1
        if len(holders) > cap:
            yield Inconsistency("disks", disk_id, ".attachments", f"disk {disk_id} is attached to {len(holders)} "
                                                                  f"instances; "
                                                                  f"at most {cap} allowed")
        if len(set(holders)) != len(holders):
            yield Inconsistency("disks", disk_id, ".attachments", f"disk {disk_id} lists an instance twice in its "
                                                                  f"attachments: {holders}")
        for j, iid in enumerate(holders):
            inst = world.instances.get(iid)
            on_instance = {dd.disk_id for dd in inst.data_disks} if inst is not None else set()
            if inst is not None and inst.system_disk.disk_id is not None:
                on_instance.add(inst.system_disk.disk_id)
            if disk_id not in on_instance:
                yield Inconsistency("disks", disk_id, f".attachments[{j}].instanceId",
                                    f"instance {iid!r} does not list the disk {disk_id}" if inst is not None else
                                    f"disk {disk_id} is attached to unknown instance {iid!r}, which does not list "
                                    f"the disk")

        if disk.status == "in-use" and not holders:
            yield Inconsistency("disks", disk_id, ".status", f"disk {disk_id} is in-use but attached to nothing")
        attached = [a.instance_id for a in disk.attachments if a.status == "attached"]
        if disk.status == "available" and attached:
            yield Inconsistency("disks", disk_id, ".status", f"disk {disk_id} is available but attached to {attached}")

# ---- elastic IPs and interfaces --------------------------------------------------------------------------


def _elastic_ips(world: WorldState) -> Iterator[Inconsistency]:
    per_nic = Counter(e.nic_id for e in world.elastic_ips.values() if e.nic_id is not None)
    for eip_id, eip in world.elastic_ips.items():

        def at(member: str, message: str, eip_id: str = eip_id) -> Inconsistency:
            return Inconsistency("elasticIps", eip_id, member, message)

        if eip.nic_id is None:
            if eip.instance_id is not None:
                yield at(".instanceId", f"elastic IP {eip_id} names instance {eip.instance_id} but no interface")
            continue
        if per_nic[eip.nic_id] > 1:
            yield at(".networkInterfaceId", f"interface {eip.nic_id} carries {per_nic[eip.nic_id]} elastic IPs; "
                                            "at most 1 allowed")
        nic = world.network_interfaces.get(eip.nic_id)
        if nic is None or nic.elastic_ip_id != eip_id:
            yield at(".networkInterfaceId", f"interface {eip.nic_id!r} does not carry elastic IP {eip_id} "
                                            f"(it carries {nic.elastic_ip_id if nic else None!r})")
            continue
        if (nic.owner, nic.region) != (eip.owner, eip.region):
            yield at(".networkInterfaceId", f"elastic IP {eip_id} of {eip.owner}/{eip.region} is bound to interface "
                                            f"{nic.nic_id} of {nic.owner}/{nic.region}")
        if eip.instance_id != nic.instance_id:
            yield at(".instanceId", f"elastic IP {eip_id} names instance {eip.instance_id!r}; its interface "
                                    f"{nic.nic_id} is on "
                                    f"{nic.instance_id!r}")
        if eip.private_ip is not None and eip.private_ip != nic.private_ip:
            yield at(".privateIpAddress", f"elastic IP {eip_id} maps to {eip.private_ip}; its interface {nic.nic_id} "
                                          f"has "
                                          f"{nic.private_ip}")


def _interfaces(world: WorldState) -> Iterator[Inconsistency]:
    for nic_id, nic in world.network_interfaces.items():

        def at(member: str, message: str, nic_id: str = nic_id) -> Inconsistency:
            return Inconsistency("networkInterfaces", nic_id, member, message)

        subnet = world.subnets.get(nic.subnet_id)
        if subnet is None:
            yield at(".subnetId", f"unknown subnet {nic.subnet_id!r}")
        elif (subnet.owner, subnet.region) != (nic.owner, nic.region):
            yield at(".subnetId", f"subnet {nic.subnet_id!r} belongs to {subnet.owner}/{subnet.region}, not "
                                  f"{nic.owner}/{nic.region}")
        elif subnet.vpc_id != nic.vpc_id:
            yield at(".vpcId", f"{nic.vpc_id!r} is not the VPC of subnet {nic.subnet_id} ({subnet.vpc_id})")
        if len(nic.security_group_ids) > MAX_SECURITY_GROUPS:
            yield at(".networkSecurityGroupIds", f"interface {nic_id} has {len(nic.security_group_ids)} security "
                                                 f"groups; at "
                                                 f"most {MAX_SECURITY_GROUPS}")
        for j, sg_id in enumerate(nic.security_group_ids):
            sg = world.security_groups.get(sg_id)
            if sg is None or (sg.owner, sg.vpc_id) != (nic.owner, nic.vpc_id):
                yield at(f".networkSecurityGroupIds[{j}]", f"{sg_id!r} is not a security group of VPC {nic.vpc_id} "
                                                           f"of {nic.owner}")
        if nic.elastic_ip_id is not None:
            eip = world.elastic_ips.get(nic.elastic_ip_id)
            if eip is None or eip.nic_id != nic_id:
                yield at(".primaryIp.elasticIpId", f"elastic IP {nic.elastic_ip_id!r} is not bound to interface "
                                                   f"{nic_id} (the interface carries it, it is bound to "
                                                   f"{eip.nic_id if eip else None!r})")
        if nic.instance_id is not None:
            inst = world.instances.get(nic.instance_id)
            if inst is None or nic_id not in (inst.primary_nic_id, *inst.secondary_nic_ids):
                yield at(".instanceId", f"instance {nic.instance_id!r} does not list interface {nic_id}")
            elif (inst.owner, inst.region) != (nic.owner, nic.region):
                yield at(".instanceId", f"interface {nic_id} of {nic.owner} is attached to instance "
                                        f"{inst.instance_id} of "
                                        f"{inst.owner}")
        elif nic.role == "Primary":
            yield at(".networkInterfaceType", f"interface {nic_id} is a primary interface attached to no instance")


_DOTTED_QUAD = re.compile(r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})", re.ASCII)


def _ipv4(text: str) -> int | None:
    """A dotted IPv4 address as an integer, or None when it is not one (one compiled match: this runs per
    interface)."""
    match = _DOTTED_QUAD.fullmatch(text)
    if match is None:
        return None
    a, b, c, d = map(int, match.groups())
    if a > 255 or b > 255 or c > 255 or d > 255:
        return None
    return (a << 24) | (b << 16) | (c << 8) | d


def _network(cidr: str) -> tuple[int, int] | None:
    """An IPv4 CIDR's network address and prefix length, or None when it is not a network in that notation."""
    address, _, length = cidr.partition("/")
    base = _ipv4(address)
    if base is None or not length.isdigit() or not 0 <= int(length) <= 32:
        return None
    bits = int(length)
    if base & ((1 << (32 - bits)) - 1):
        return None  # host bits set: not a network address
    return base, bits


def _contains(network: tuple[int, int], address: int) -> bool:
    base, bits = network
    return address >> (32 - bits) == base >> (32 - bits) if bits else True


def _addresses(world: WorldState) -> Iterator[Inconsistency]:
    vpc_networks: dict[str, tuple[int, int] | None] = {}
    for vpc_id, vpc in world.vpcs.items():
        vpc_networks[vpc_id] = _network(vpc.cidr)
        if vpc_networks[vpc_id] is None:
            yield Inconsistency("vpcs", vpc_id, ".addressPrefix", f"{vpc.cidr!r} is not an IPv4 network (a.b.c.d/n)")
    subnet_networks: dict[str, tuple[int, int] | None] = {}
    for subnet_id, subnet in world.subnets.items():
        network = subnet_networks[subnet_id] = _network(subnet.cidr)
        vpc_network = vpc_networks.get(subnet.vpc_id)
        if network is None:
            yield Inconsistency("subnets", subnet_id, ".addressPrefix",
                                f"{subnet.cidr!r} is not an IPv4 network (a.b.c.d/n)")
        elif not 0 <= subnet.next_host <= 1 << (32 - network[1]):  # past the last: no address left to hand out
            yield Inconsistency("subnets", subnet_id, ".nextHost",
                                f"{subnet.next_host} is not a host offset of {subnet.cidr} (0 to "
                                f"{1 << (32 - network[1])})")
        elif vpc_network is not None and not (network[1] >= vpc_network[1] and _contains(vpc_network, network[0])):
            yield Inconsistency("subnets", subnet_id, ".addressPrefix",
                                f"{subnet.cidr} is not inside its VPC's {world.vpcs[subnet.vpc_id].cidr}")
    in_use: dict[tuple[str, int], str] = {}
    for nic_id, nic in world.network_interfaces.items():
        address = _ipv4(nic.private_ip)
        network = subnet_networks.get(nic.subnet_id)
        if address is None:
            yield Inconsistency("networkInterfaces", nic_id, ".primaryIp.privateIpAddress",
                                f"{nic.private_ip!r} is not an IPv4 address")
            continue
        if network is not None and not _contains(network, address):
            yield Inconsistency("networkInterfaces", nic_id, ".primaryIp.privateIpAddress",
                                f"{nic.private_ip} is outside subnet {nic.subnet_id} "
                                f"({world.subnets[nic.subnet_id].cidr})")
        other = in_use.setdefault((nic.subnet_id, address), nic_id)
        if other != nic_id:  # named on the later id of the two, whatever order the map iterates in
            first, later = sorted((other, nic_id))
            yield Inconsistency("networkInterfaces", later, ".primaryIp.privateIpAddress",
                                f"{nic.private_ip} is also the address of interface {first} in {nic.subnet_id}")


def _networks(world: WorldState) -> Iterator[Inconsistency]:
    for collection, entities in (("subnets", world.subnets), ("securityGroups", world.security_groups)):
        for key, entity in entities.items():
            vpc = world.vpcs.get(entity.vpc_id)
            if vpc is None:
                yield Inconsistency(collection, key, ".vpcId", f"unknown VPC {entity.vpc_id!r}")
            elif (vpc.owner, vpc.region) != (entity.owner, entity.region):
                yield Inconsistency(collection, key, ".vpcId", f"VPC {entity.vpc_id!r} belongs to {vpc.owner}/"
                                                               f"{vpc.region}, not {entity.owner}/{entity.region}")


def _templates(world: WorldState) -> Iterator[Inconsistency]:
    for ag_id, ag in world.availability_groups.items():
        template = world.templates.get(ag.template_id)
        if template is None:
            yield Inconsistency("availabilityGroups", ag_id, ".instanceTemplateId",
                                f"unknown instance template {ag.template_id!r}")
        elif (template.owner, template.region) != (ag.owner, ag.region):
            yield Inconsistency("availabilityGroups", ag_id, ".instanceTemplateId",
                                f"instance template {ag.template_id!r} belongs to {template.owner}/{template.region}, "
                                f"not {ag.owner}/{ag.region}")
        region = world.regions.get(ag.region)
        for j, az in enumerate(ag.azs):
            if region is not None and az not in region.azs:
                yield Inconsistency("availabilityGroups", ag_id, f".azs[{j}]",
                                    f"{az!r} is not an availability zone of {ag.region}")


# ---- tasks -----------------------------------------------------------------------------------------------


def _tasks(world: WorldState) -> Iterator[Inconsistency]:
    entity_maps: tuple[Mapping[str, Any], ...] = (
        world.instances, world.images, world.disks, world.network_interfaces, world.elastic_ips,
        world.snapshots, world.templates, world.availability_groups,
    )
    for rid, task in world.tasks.items():
        if task.kind not in TASK_KINDS:
            yield Inconsistency("tasks", rid, ".kind", f"no completion for task kind {task.kind!r} "
                                                       f"(known: {', '.join(sorted(TASK_KINDS))})")
        if not any(rid in m for m in entity_maps):
            yield Inconsistency("tasks", rid, ".resourceId", f"task {task.kind} is on {rid!r}, which does not exist")
