"""World invariants: what every world reachable through the API satisfies.

``check_invariants(world)`` lists every broken invariant as an English sentence naming the resource; the list
is empty when the world is consistent. The property suite checks it after every step of a random walk over
all operations, and users can run it on worlds they build or receive (snapshots, conformance runs).

The invariants, in the order they are checked:

* every entity is stored under its own id, and every status, charge mode and role is in its enum;
* an instance holds at most 8 data disks (local system disk) or 7 (cloud system disk) and at most as many
  interfaces as its type's ``nicLimit`` (primary included); its primary interface has 1 to 5 security groups;
* an image is shared with at most 20 accounts, each an account of the world, none twice;
* usage counters equal a recount of the world and never exceed the instance, cpu, memory and image quotas;
* a disk is attached to at most one instance (a multi-attach disk to at most 16), and the disk-side and
  instance-side attachment records agree;
* an elastic IP is bound to at most one interface, an interface carries at most one elastic IP, and both sides
  of the binding agree;
* every reference resolves (instance -> type, subnet, vpc, interfaces, disks, availability group;
  interface -> instance, subnet, security groups; elastic IP -> interface; task -> resource and completion);
  an instance's image may be gone (a private image can be deleted while instances built from it live on);
* no resource references a resource of another account or region (images excepted: an account may run an
  instance from an official, third-party or shared image).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from vmrules.model import (
    ATTACHMENT_STATUSES,
    CHARGE_MODES,
    CHARGE_STATUSES,
    DISK_STATUSES,
    IMAGE_STATUSES,
    INSTANCE_STATUSES,
    PLATFORM_OWNER,
    Charge,
    Instance,
)
from vmrules.world import World

MAX_DATA_DISKS_LOCAL = 8
MAX_DATA_DISKS_CLOUD = 7
MAX_SECURITY_GROUPS = 5
MAX_IMAGE_SHARES = 20
MAX_MULTI_ATTACH = 16
# Quotas the world must never exceed (keypair and template quotas are enforced by operations outside the 35).
LIMITED_USAGE = ("instance", "instance_cpu", "instance_memory", "image")


def check_invariants(world: World) -> list[str]:
    """Every invariant ``world`` breaks, as messages naming the resource; empty when all hold."""
    problems: list[str] = []
    for check in (_keys, _enums, _instances, _images, _usage, _disks, _elastic_ips, _interfaces, _tasks):
        problems.extend(check(world))
    return problems


# ---- identity and enums -----------------------------------------------------------------------------


def _keys(world: World) -> Iterator[str]:
    maps: tuple[tuple[str, Mapping[str, Any], str], ...] = (
        ("instance", world.instances, "instance_id"),
        ("image", world.images, "image_id"),
        ("disk", world.disks, "disk_id"),
        ("interface", world.network_interfaces, "nic_id"),
        ("elastic IP", world.elastic_ips, "elastic_ip_id"),
        ("vpc", world.vpcs, "vpc_id"),
        ("subnet", world.subnets, "subnet_id"),
        ("security group", world.security_groups, "security_group_id"),
        ("snapshot", world.snapshots, "snapshot_id"),
        ("template", world.templates, "template_id"),
        ("availability group", world.availability_groups, "ag_id"),
        ("task", world.tasks, "resource_id"),
    )
    for kind, entities, id_field in maps:
        for key, entity in entities.items():
            if getattr(entity, id_field) != key:
                yield f"{kind} stored under {key!r} has id {getattr(entity, id_field)!r}"
    for (owner, region, name), keypair in world.keypairs.items():
        if (keypair.owner, keypair.region, keypair.key_name) != (owner, region, name):
            yield f"keypair stored under {(owner, region, name)!r} is {keypair.key_name!r} of {keypair.owner}"


def _charge_problems(what: str, charge: Charge | None) -> Iterator[str]:
    if charge is None:
        return
    if charge.mode not in CHARGE_MODES:
        yield f"{what} has charge mode {charge.mode!r}, not one of {CHARGE_MODES}"
    if charge.status not in CHARGE_STATUSES:
        yield f"{what} has charge status {charge.status!r}, not one of {CHARGE_STATUSES}"


def _enums(world: World) -> Iterator[str]:
    for inst in world.instances.values():
        if inst.status not in INSTANCE_STATUSES:
            yield f"instance {inst.instance_id} has status {inst.status!r}"
        if inst.system_disk.category not in ("local", "cloud"):
            yield f"instance {inst.instance_id} has system disk category {inst.system_disk.category!r}"
        for dd in inst.data_disks:
            if dd.status not in ATTACHMENT_STATUSES:
                yield f"instance {inst.instance_id} data disk {dd.disk_id} has status {dd.status!r}"
        yield from _charge_problems(f"instance {inst.instance_id}", inst.charge)
        if inst.charge is not None and inst.charge.mode == "postpaid_by_usage":
            yield f"instance {inst.instance_id} is billed by usage, which instances cannot be"
    for image in world.images.values():
        if image.status not in IMAGE_STATUSES:
            yield f"image {image.image_id} has status {image.status!r}"
        if image.root_device_type not in ("localDisk", "cloudDisk"):
            yield f"image {image.image_id} has rootDeviceType {image.root_device_type!r}"
        if image.source not in ("public", "thirdparty", "private"):
            yield f"image {image.image_id} has source {image.source!r}"
    for disk in world.disks.values():
        if disk.status not in DISK_STATUSES:
            yield f"disk {disk.disk_id} has status {disk.status!r}"
        for a in disk.attachments:
            if a.status not in ATTACHMENT_STATUSES:
                yield f"disk {disk.disk_id} attachment to {a.instance_id} has status {a.status!r}"
        yield from _charge_problems(f"disk {disk.disk_id}", disk.charge)
    for nic in world.network_interfaces.values():
        if nic.role not in ("Primary", "Secondary"):
            yield f"interface {nic.nic_id} has role {nic.role!r}"
        if not 0 <= nic.device_index <= 8:
            yield f"interface {nic.nic_id} has deviceIndex {nic.device_index}, outside 0..8"
        if nic.sanity_check not in (0, 1):
            yield f"interface {nic.nic_id} has sanityCheck {nic.sanity_check}"
    for eip in world.elastic_ips.values():
        yield from _charge_problems(f"elastic IP {eip.elastic_ip_id}", eip.charge)


# ---- instances --------------------------------------------------------------------------------------


def _instances(world: World) -> Iterator[str]:
    for inst in world.instances.values():
        yield from _instance(world, inst)


def _instance(world: World, inst: Instance) -> Iterator[str]:
    iid = inst.instance_id
    if inst.owner not in world.accounts:
        yield f"instance {iid} is owned by {inst.owner!r}, not an account"
    region = world.regions.get(inst.region)
    if region is None:
        yield f"instance {iid} is in unknown region {inst.region!r}"
    elif inst.az not in region.azs:
        yield f"instance {iid} is in az {inst.az!r}, not an az of {inst.region}"
    itype = world.instance_types.get(inst.instance_type)
    if itype is None:
        yield f"instance {iid} has unknown instance type {inst.instance_type!r}"
    image = world.images.get(inst.image_id)
    if image is not None and image.region != inst.region:
        yield f"instance {iid} runs image {inst.image_id} of region {image.region}, not {inst.region}"
    vpc = world.vpcs.get(inst.vpc_id)
    if vpc is None:
        yield f"instance {iid} is in unknown vpc {inst.vpc_id!r}"
    elif (vpc.owner, vpc.region) != (inst.owner, inst.region):
        yield f"instance {iid} of {inst.owner} is in vpc {inst.vpc_id} of {vpc.owner}/{vpc.region}"
    subnet = world.subnets.get(inst.subnet_id)
    if subnet is None:
        yield f"instance {iid} is in unknown subnet {inst.subnet_id!r}"
    elif subnet.vpc_id != inst.vpc_id or subnet.owner != inst.owner:
        yield f"instance {iid} subnet {inst.subnet_id} is not in its vpc {inst.vpc_id} of its owner"
    if inst.ag_id is not None:
        ag = world.availability_groups.get(inst.ag_id)
        if ag is None:
            yield f"instance {iid} is in unknown availability group {inst.ag_id!r}"
        elif ag.owner != inst.owner:
            yield f"instance {iid} of {inst.owner} is in availability group {inst.ag_id} of {ag.owner}"

    # -- interfaces
    primary = world.network_interfaces.get(inst.primary_nic_id)
    if primary is None:
        yield f"instance {iid} has unknown primary interface {inst.primary_nic_id!r}"
    else:
        if primary.role != "Primary":
            yield f"instance {iid} primary interface {primary.nic_id} has role {primary.role}"
        if primary.instance_id != iid:
            yield f"instance {iid} primary interface {primary.nic_id} points at instance {primary.instance_id!r}"
        if primary.subnet_id != inst.subnet_id:
            yield f"instance {iid} primary interface {primary.nic_id} is in subnet {primary.subnet_id}"
        groups = len(primary.security_group_ids)
        if not 1 <= groups <= MAX_SECURITY_GROUPS:
            yield (f"instance {iid} primary interface {primary.nic_id} has {groups} security groups; "
                   f"allowed 1 to {MAX_SECURITY_GROUPS}")
    if len(set(inst.secondary_nic_ids)) != len(inst.secondary_nic_ids) or inst.primary_nic_id in inst.secondary_nic_ids:
        yield f"instance {iid} lists an interface twice: {inst.primary_nic_id}, {inst.secondary_nic_ids}"
    for nic_id in inst.secondary_nic_ids:
        nic = world.network_interfaces.get(nic_id)
        if nic is None:
            yield f"instance {iid} has unknown secondary interface {nic_id!r}"
            continue
        if nic.role != "Secondary":
            yield f"instance {iid} secondary interface {nic_id} has role {nic.role}"
        if nic.instance_id != iid:
            yield f"instance {iid} secondary interface {nic_id} points at instance {nic.instance_id!r}"
        if nic.vpc_id != inst.vpc_id:
            yield f"instance {iid} secondary interface {nic_id} is in vpc {nic.vpc_id}, not {inst.vpc_id}"
    if itype is not None and 1 + len(inst.secondary_nic_ids) > itype.nic_limit:
        yield (f"instance {iid} has {1 + len(inst.secondary_nic_ids)} interfaces; type {itype.instance_type} "
               f"allows {itype.nic_limit}")

    # -- disks
    limit = MAX_DATA_DISKS_LOCAL if inst.system_disk.category == "local" else MAX_DATA_DISKS_CLOUD
    if len(inst.data_disks) > limit:
        yield (f"instance {iid} has {len(inst.data_disks)} data disks; a {inst.system_disk.category} system "
               f"disk allows {limit}")
    disk_ids = [dd.disk_id for dd in inst.data_disks]
    devices = [dd.device_name for dd in inst.data_disks]
    if inst.system_disk.category == "cloud":
        if inst.system_disk.disk_id is None:
            yield f"instance {iid} has a cloud system disk without a disk id"
        else:
            disk_ids.append(inst.system_disk.disk_id)
    devices.append(inst.system_disk.device_name)
    if len(set(disk_ids)) != len(disk_ids):
        yield f"instance {iid} lists a disk twice: {disk_ids}"
    if len(set(devices)) != len(devices):
        yield f"instance {iid} uses a device name twice: {devices}"
    statuses = {dd.disk_id: dd.status for dd in inst.data_disks}
    for disk_id in disk_ids:
        disk = world.disks.get(disk_id)
        if disk is None:
            yield f"instance {iid} has unknown disk {disk_id!r}"
            continue
        if (disk.owner, disk.region) != (inst.owner, inst.region):
            yield f"instance {iid} of {inst.owner}/{inst.region} has disk {disk_id} of {disk.owner}/{disk.region}"
        sides = [a for a in disk.attachments if a.instance_id == iid]
        if not sides:
            yield f"instance {iid} lists disk {disk_id}, whose attachments do not list the instance"
        elif disk_id in statuses and sides[0].status != statuses[disk_id]:
            yield (f"instance {iid} sees disk {disk_id} as {statuses[disk_id]}, the disk sees the attachment as "
                   f"{sides[0].status}")


# ---- images -----------------------------------------------------------------------------------------


def _images(world: World) -> Iterator[str]:
    for image in world.images.values():
        what = f"image {image.image_id}"
        if image.owner != PLATFORM_OWNER and image.owner not in world.accounts:
            yield f"{what} is owned by {image.owner!r}, not an account"
        if image.source == "private" and image.owner == PLATFORM_OWNER:
            yield f"{what} is private but owned by the platform"
        if image.source != "private" and image.owner != PLATFORM_OWNER:
            yield f"{what} is {image.source} but owned by {image.owner}"
        if image.region not in world.regions:
            yield f"{what} is in unknown region {image.region!r}"
        shares = image.shared_with
        if len(shares) > MAX_IMAGE_SHARES:
            yield f"{what} is shared with {len(shares)} accounts; at most {MAX_IMAGE_SHARES} allowed"
        if len(set(shares)) != len(shares):
            yield f"{what} lists an account twice in its shares: {shares}"
        for pin in shares:
            if pin not in world.accounts:
                yield f"{what} is shared with {pin!r}, not an account"
        if shares and image.source != "private":
            yield f"{what} is {image.source} yet has a share list"


# ---- usage ------------------------------------------------------------------------------------------


def _usage(world: World) -> Iterator[str]:
    from vmrules.usage import recount_usage

    counted = {k: v for k, v in dict(recount_usage(world)).items() if v != 0}
    stored = {k: v for k, v in world.usage.items() if v != 0}
    for key in sorted(set(counted) | set(stored)):
        if counted.get(key, 0) != stored.get(key, 0):
            yield f"usage {key} is {stored.get(key, 0)}; a recount of the world gives {counted.get(key, 0)}"
    for (pin, region, resource_type), used in sorted(stored.items()):
        if used < 0:
            yield f"usage {(pin, region, resource_type)} is negative ({used})"
        account = world.accounts.get(pin)
        if account is None:
            yield f"usage {(pin, region, resource_type)} counts for {pin!r}, not an account"
        elif resource_type in LIMITED_USAGE and used > account.quota(resource_type):
            yield (f"{pin} uses {used} {resource_type} in {region}; the quota is "
                   f"{account.quota(resource_type)}")


# ---- disks ------------------------------------------------------------------------------------------


def _disks(world: World) -> Iterator[str]:
    for disk in world.disks.values():
        what = f"disk {disk.disk_id}"
        if disk.owner not in world.accounts:
            yield f"{what} is owned by {disk.owner!r}, not an account"
        holders = [a.instance_id for a in disk.attachments]
        cap = MAX_MULTI_ATTACH if disk.multi_attachable else 1
        if len(holders) > cap:
            yield f"{what} is attached to {len(holders)} instances; at most {cap} allowed"
        if len(set(holders)) != len(holders):
            yield f"{what} lists an instance twice in its attachments: {holders}"
        if disk.status == "in-use" and not holders:
            yield f"{what} is in-use but attached to nothing"
        attached = [a.instance_id for a in disk.attachments if a.status == "attached"]
        if disk.status == "available" and attached:
            yield f"{what} is available but attached to {attached}"
        for iid in holders:
            inst = world.instances.get(iid)
            if inst is None:
                yield f"{what} is attached to unknown instance {iid!r}"
                continue
            on_instance = {dd.disk_id for dd in inst.data_disks}
            if inst.system_disk.disk_id is not None:
                on_instance.add(inst.system_disk.disk_id)
            if disk.disk_id not in on_instance:
                yield f"{what} lists instance {iid}, which does not list the disk"


# ---- elastic IPs and interfaces ---------------------------------------------------------------------


def _elastic_ips(world: World) -> Iterator[str]:
    per_nic = Counter(e.nic_id for e in world.elastic_ips.values() if e.nic_id is not None)
    for nic_id, count in per_nic.items():
        if count > 1:
            yield f"interface {nic_id} carries {count} elastic IPs; at most 1 allowed"
    for eip in world.elastic_ips.values():
        what = f"elastic IP {eip.elastic_ip_id}"
        if eip.owner not in world.accounts:
            yield f"{what} is owned by {eip.owner!r}, not an account"
        if eip.nic_id is None:
            if eip.instance_id is not None:
                yield f"{what} names instance {eip.instance_id} but no interface"
            continue
        nic = world.network_interfaces.get(eip.nic_id)
        if nic is None:
            yield f"{what} is bound to unknown interface {eip.nic_id!r}"
            continue
        if nic.elastic_ip_id != eip.elastic_ip_id:
            yield f"{what} is bound to interface {nic.nic_id}, which carries {nic.elastic_ip_id!r}"
        if (nic.owner, nic.region) != (eip.owner, eip.region):
            yield f"{what} of {eip.owner}/{eip.region} is bound to interface {nic.nic_id} of {nic.owner}/{nic.region}"
        if eip.instance_id != nic.instance_id:
            yield f"{what} names instance {eip.instance_id!r}; its interface {nic.nic_id} is on {nic.instance_id!r}"
        if eip.private_ip is not None and eip.private_ip != nic.private_ip:
            yield f"{what} maps to {eip.private_ip}; its interface {nic.nic_id} has {nic.private_ip}"


def _interfaces(world: World) -> Iterator[str]:
    for nic in world.network_interfaces.values():
        what = f"interface {nic.nic_id}"
        if nic.owner not in world.accounts:
            yield f"{what} is owned by {nic.owner!r}, not an account"
        subnet = world.subnets.get(nic.subnet_id)
        if subnet is None:
            yield f"{what} is in unknown subnet {nic.subnet_id!r}"
        elif (subnet.owner, subnet.region, subnet.vpc_id) != (nic.owner, nic.region, nic.vpc_id):
            yield f"{what} of {nic.owner}/{nic.vpc_id} is in subnet {nic.subnet_id} of {subnet.owner}/{subnet.vpc_id}"
        if len(nic.security_group_ids) > MAX_SECURITY_GROUPS:
            yield f"{what} has {len(nic.security_group_ids)} security groups; at most {MAX_SECURITY_GROUPS}"
        for sg_id in nic.security_group_ids:
            sg = world.security_groups.get(sg_id)
            if sg is None:
                yield f"{what} has unknown security group {sg_id!r}"
            elif (sg.owner, sg.vpc_id) != (nic.owner, nic.vpc_id):
                yield f"{what} of {nic.owner}/{nic.vpc_id} has security group {sg_id} of {sg.owner}/{sg.vpc_id}"
        if nic.elastic_ip_id is not None:
            eip = world.elastic_ips.get(nic.elastic_ip_id)
            if eip is None:
                yield f"{what} carries unknown elastic IP {nic.elastic_ip_id!r}"
            elif eip.nic_id != nic.nic_id:
                yield f"{what} carries elastic IP {eip.elastic_ip_id}, which is bound to {eip.nic_id!r}"
        if nic.instance_id is not None:
            inst = world.instances.get(nic.instance_id)
            if inst is None:
                yield f"{what} is attached to unknown instance {nic.instance_id!r}"
            elif nic.nic_id != inst.primary_nic_id and nic.nic_id not in inst.secondary_nic_ids:
                yield f"{what} points at instance {inst.instance_id}, which does not list it"
            elif inst.owner != nic.owner:
                yield f"{what} of {nic.owner} is attached to instance {inst.instance_id} of {inst.owner}"
        elif nic.role == "Primary":
            yield f"{what} is a primary interface attached to no instance"


# ---- tasks ------------------------------------------------------------------------------------------


def _tasks(world: World) -> Iterator[str]:
    from vmrules.operations import COMPLETIONS

    entity_maps: tuple[Mapping[str, Any], ...] = (
        world.instances, world.images, world.disks, world.network_interfaces, world.elastic_ips,
        world.snapshots, world.templates, world.availability_groups,
    )
    for rid, task in world.tasks.items():
        if task.kind not in COMPLETIONS:
            yield f"task on {rid} has kind {task.kind!r}, which no completion handles"
        if not any(rid in m for m in entity_maps):
            yield f"task {task.kind} is on {rid!r}, which does not exist"
