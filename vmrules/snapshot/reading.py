"""Reading a snapshot: ``world_from_dict(data, make)`` validates the document, checks ids and references,
and builds the world (of class ``make``) only when the whole snapshot is valid."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TypeVar

from immutables import Map
from pydantic import ValidationError

from vmrules import model as m
from vmrules.builders import reindex_subnets
from vmrules.bulk import collector_paused, positional_constructor
from vmrules.consistency import Inconsistency, first_inconsistency
from vmrules.indexes import build_instance_indexes, build_subnet_addresses
from vmrules.snapshot.document import (
    Charge,
    Disk,
    ElasticIp,
    Image,
    Instance,
    InstanceTemplate,
    InstanceType,
    NetworkInterface,
    SnapshotError,
    SystemDiskAttachment,
    TemplateDisk,
    TimeTexts,
    WorldSnapshot,
)
from vmrules.state import WorldState
from vmrules.usage import recount_usage

W = TypeVar("W", bound=WorldState)


def _path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


# The entities' shapes are pydantic dataclasses (snapshot/document.py), whose errors for an unknown member and
# for an entry that is not an object are worded for a constructor; a snapshot's reader says what a model says
# of a document.
# The shapes' errors in a document's words, the same whether the document came as text or as Python values
# (pydantic words a Python dict's "valid dictionary or instance of Vpc" and a list's "valid list").
_DOCUMENT_WORDING = {
    "unexpected_keyword_argument": ("extra_forbidden", "Extra inputs are not permitted"),
    "dataclass_type": ("dataclass_type", "Input should be an object"),
    "model_type": ("model_type", "Input should be an object"),
    "dict_type": ("dict_type", "Input should be an object"),
    "list_type": ("list_type", "Input should be a valid array"),
}


def _first_error(error: ValidationError) -> SnapshotError:
    first = error.errors(include_url=False)[0]
    kind, message = _DOCUMENT_WORDING.get(first["type"], (first["type"], first["msg"]))
    if kind == "value_error":
        message = str(first.get("ctx", {}).get("error", message))
    elif kind != "missing":
        shown = repr(first.get("input"))
        message += f" (got {shown[:60]}{'...' if len(shown) > 60 else ''})"
    return SnapshotError(_path(first["loc"]), message)


Seconds = Callable[[str], int]
ChargeOf = Callable[[Charge | None, m.Charge], m.Charge]


def _seconds_of(times: TimeTexts) -> Seconds:
    def seconds(text: str) -> int:
        value = times.parse(text)
        assert value is not None  # validated by IsoTime, through the same TimeTexts
        return value
    return seconds


def _charge_of(_t: Seconds, c: Charge | None, default: m.Charge) -> m.Charge:
    if c is None:
        return default
    expiry = _t(c.chargeExpiredTime) if c.chargeExpiredTime else None
    return m.Charge(c.chargeMode, c.chargeStatus, _t(c.chargeStartTime), expiry)


def _none_if_empty(text: str) -> str | None:
    return text or None


class _Reader:
    """Builds the entities of a validated snapshot, checking ids and references; raises SnapshotError."""

    def __init__(self, snap: WorldSnapshot, times: TimeTexts) -> None:
        self.s = snap
        self.t = _seconds_of(times)
        self.charges: dict[tuple[str, str, str, str], m.Charge] = {}
        self.local_disks: dict[tuple[bool, int, str, str], m.SystemDisk] = {}
        # collection -> the keys of its entries in document order (positions are looked up only for a problem)
        self.keys: dict[str, Sequence[Any]] = {}
        self.images: dict[str, m.Image] = {}  # read before the instances (an instance without osType takes its image's)

    def unique(self, collection: str, ids: Sequence[Any]) -> None:
        self.keys[collection] = ids
        if len(set(ids)) == len(ids):
            return
        seen: dict[Any, int] = {}
        for index, rid in enumerate(ids):
            if rid in seen:
                raise SnapshotError(f"{collection}[{index}]",
                                    f"duplicate id {rid!r} (also {collection}[{seen[rid]}])")
            seen[rid] = index

    def build(self, make: type[W]) -> W:
        s, _t = self.s, self.t
        regions = {r.regionId: m.Region(r.regionId, tuple(r.azs)) for r in s.regions}
        self.unique("regions", [r.regionId for r in s.regions])
        self.unique("accounts", [a.pin for a in s.accounts])
        self.unique("instanceTypes", [t.instanceType for t in s.instanceTypes])
        for name, items, key in (
            ("images", s.images, "imageId"), ("vpcs", s.vpcs, "vpcId"), ("subnets", s.subnets, "subnetId"),
            ("securityGroups", s.securityGroups, "networkSecurityGroupId"),
            ("networkInterfaces", s.networkInterfaces, "networkInterfaceId"),
            ("elasticIps", s.elasticIps, "elasticIpId"), ("disks", s.disks, "diskId"),
            ("snapshots", s.snapshots, "snapshotId"), ("instances", s.instances, "instanceId"),
            ("instanceTemplates", s.instanceTemplates, "id"), ("availabilityGroups", s.availabilityGroups, "id"),
            ("tasks", s.tasks, "resourceId"),
        ):
            self.unique(name, [getattr(item, key) for item in items])
        self.unique("keypairs", [(k.ownerPin, k.regionId, k.keyName) for k in s.keypairs])
        self.unique("clientTokens", [(c.ownerPin, c.regionId, c.clientToken) for c in s.clientTokens])

        accounts = {a.pin: m.Account(a.pin, a.realNameVerified, tuple((q.resourceType, q.limit) for q in a.quotas))
                    for a in s.accounts}
        types = {t.instanceType: _instance_type_of(t) for t in s.instanceTypes}
        images = self.images = {i.imageId: _image_of(_t, i) for i in s.images}
        vpcs = {v.vpcId: m.Vpc(v.vpcId, v.ownerPin, v.regionId, v.vpcName, v.addressPrefix) for v in s.vpcs}
        subnets = {n.subnetId: m.Subnet(n.subnetId, n.ownerPin, n.regionId, n.vpcId, n.az, n.subnetName,
                                        n.addressPrefix, n.nextHost, tuple(sorted(set(n.reservedHosts))))
                   for n in s.subnets}
        groups = {g.networkSecurityGroupId: m.SecurityGroup(
            g.networkSecurityGroupId, g.ownerPin, g.regionId, g.vpcId, g.networkSecurityGroupName,
            g.networkSecurityGroupType == "default", g.description) for g in s.securityGroups}
        nics = {n.networkInterfaceId: _nic_of(_t, n) for n in s.networkInterfaces}
        eips = {e.elasticIpId: _eip_of(_t, self.charge_of, e) for e in s.elasticIps}
        disks = {d.diskId: _disk_of(_t, self.charge_of, d) for d in s.disks}
        snapshots = {p.snapshotId: m.Snapshot(
            p.snapshotId, p.ownerPin, p.regionId, p.diskType, p.snapshotSizeGB, p.status,
            _none_if_empty(p.diskId), p.images[0] if p.images else None, _t(p.createTime)) for p in s.snapshots}
        keypairs = {(k.ownerPin, k.regionId, k.keyName): m.Keypair(
            k.keyName, k.ownerPin, k.regionId, k.keyFingerprint, _t(k.createTime)) for k in s.keypairs}
        instances = {i.instanceId: self.instance_of(index, i) for index, i in enumerate(s.instances)}
        templates = {t.id: _template_of(_t, t) for t in s.instanceTemplates}
        ags = {g.id: m.AvailabilityGroup(g.id, g.ownerPin, g.regionId, g.name, g.instanceTemplateId, tuple(g.azs))
               for g in s.availabilityGroups}
        tasks = {t.resourceId: m.Task(t.kind, t.resourceId, _t(t.started), t.ref) for t in s.tasks}
        tokens = {(c.ownerPin, c.regionId, c.clientToken): tuple(c.instanceIds) for c in s.clientTokens}

        # The indexes from the entities in document order (the writer's: creation order for instances), so
        # that their sorts find them sorted; ``WorldState.__post_init__`` would build the same from the maps.
        order, by = build_instance_indexes(instances.values())
        world = make(
            clock=_t(s.clock), default_account=s.defaultAccount, sequence=s.sequence,
            regions=Map(regions), accounts=Map(accounts), instance_types=Map(types), images=Map(images),
            instances=Map(instances), disks=Map(disks), network_interfaces=Map(nics), elastic_ips=Map(eips),
            vpcs=Map(vpcs), subnets=Map(subnets), security_groups=Map(groups), keypairs=Map(keypairs),
            snapshots=Map(snapshots), templates=Map(templates), availability_groups=Map(ags), tasks=Map(tasks),
            client_tokens=Map(tokens),
            instance_order=order, instances_by=by, subnet_addresses=build_subnet_addresses(nics.values()),
        )
        world = world.evolve(usage=recount_usage(world))
        problem = first_inconsistency(world)
        if problem is not None:
            raise SnapshotError(self.document_path(problem), problem.message)
        return reindex_subnets(world)  # after the check: it reads the addresses the check vouches for

    def document_path(self, problem: Inconsistency) -> str:
        """Where the problem is in the document: the entry's position in its collection, then the member."""
        keys = self.keys.get(problem.collection, ())
        for position, key in enumerate(keys):
            if key == problem.key:
                return f"{problem.collection}[{position}]{problem.member}"
        return problem.path

    def instance_of(self, index: int, i: Instance) -> m.Instance:
        sd = i.systemDisk
        if sd.diskCategory == "local":
            local = sd.localDisk
            if local is None or sd.cloudDisk is not None:
                self.refuse_system_disk(index, sd)
            # Local system disks are mostly alike: equal ones are one shared (immutable) value.
            key = (sd.autoDelete, local.diskSizeGB, local.diskType, sd.deviceName)
            system = self.local_disks.get(key)
            if system is None:
                system = self.local_disks[key] = m.SystemDisk(
                    "local", sd.autoDelete, local.diskSizeGB, local.diskType, None, sd.deviceName)
        else:
            cloud = sd.cloudDisk
            if cloud is None or sd.localDisk is not None:
                self.refuse_system_disk(index, sd)
            system = m.SystemDisk("cloud", sd.autoDelete, disk_id=cloud.diskId, device_name=sd.deviceName)
        data_disks, secondaries, keys, charge, ag = (
            i.dataDisks, i.secondaryNetworkInterfaces, i.keyNames, i.charge, i.ag)
        return _new_instance(
            i.instanceId, i.ownerPin, i.regionId, i.az, i.instanceName, i.instanceType, i.imageId,
            i.osType if i.osType is not None else self.os_type_of(index, i), i.status,
            i.vpcId, i.subnetId, i.primaryNetworkInterface.networkInterface.networkInterfaceId, system,
            i.description, i.hostname,
            tuple([m.InstanceDisk(d.cloudDisk.diskId, d.deviceName, d.autoDelete, d.status) for d in data_disks])
            if data_disks else (),
            tuple([n.networkInterface.networkInterfaceId for n in secondaries]) if secondaries else (),
            tuple(keys) if keys else (),
            self.charge_of(charge, _NO_CHARGE) if charge is not None else None,
            (ag.id or None) if ag is not None else None, i.faultDomain, self.t(i.launchTime), i.passwordDigest,
            i.pendingPasswordDigest, i.seq,
        )

    def os_type_of(self, index: int, i: Instance) -> m.OsType:
        """The osType of an instance written without one (snapshots before it was recorded): its image's. When
        the image is not in the snapshot either, the OS is unknown, and guessing would switch the Windows rules
        on or off at random: refused (docs/decisions/instance-os.md)."""
        image = self.images.get(i.imageId)
        if image is None:
            raise SnapshotError(f"instances[{index}].osType",
                                f"instance {i.instanceId} has no osType and its image {i.imageId!r} is not in the "
                                'snapshot to take it from; give osType ("windows" or "linux")')
        return image.os_type

    def charge_of(self, c: Charge | None, default: m.Charge) -> m.Charge:
        """The charge of a snapshot entry; equal charges (most of a world's) are one shared value."""
        if c is None:
            return default
        key = (c.chargeMode, c.chargeStatus, c.chargeStartTime, c.chargeExpiredTime)
        charge = self.charges.get(key)
        if charge is None:
            charge = self.charges[key] = _charge_of(self.t, c, default)
        return charge

    @staticmethod
    def refuse_system_disk(index: int, sd: SystemDiskAttachment) -> NoReturn:
        at = f"instances[{index}].systemDisk"
        if sd.diskCategory == "local":
            if sd.localDisk is None:
                raise SnapshotError(f"{at}.localDisk", "a local system disk needs localDisk {diskType, diskSizeGB}")
            raise SnapshotError(f"{at}.cloudDisk", "a local system disk has no cloudDisk")
        if sd.cloudDisk is None:
            raise SnapshotError(f"{at}.cloudDisk", "a cloud system disk needs cloudDisk {diskId}")
        raise SnapshotError(f"{at}.localDisk", "a cloud system disk has no localDisk")


# The entities a snapshot holds by the hundred thousand, made with every field given (vmrules.bulk).
_new_instance = positional_constructor(m.Instance)
_new_nic = positional_constructor(m.NetworkInterface)
_new_eip = positional_constructor(m.ElasticIp)
_new_disk = positional_constructor(m.Disk)
_NO_CHARGE = m.Charge()
_USAGE_CHARGE = m.Charge(mode="postpaid_by_usage")


def _instance_type_of(t: InstanceType) -> m.InstanceType:
    return m.InstanceType(
        t.instanceType, t.family, t.generation, t.cpu, t.memoryMB, t.nicLimit, t.desc,
        tuple(m.AzStock(s.az, s.inStock) for s in t.state), m.Gpu(t.gpu.model, t.gpu.number) if t.gpu else None,
        tuple(m.LocalDisk(d.diskType, d.diskSizeGB) for d in t.localDisks), t.offline,
    )


def _image_of(_t: Seconds, i: Image) -> m.Image:
    c = i.imageInstanceTypeConstraint
    return m.Image(
        i.imageId, i.ownerPin, i.regionId, i.name, i.imageSource, i.platform, i.osType, i.osVersion,
        i.rootDeviceType, i.systemDiskSizeGB, i.status, i.architecture, _t(i.createTime), i.sizeMB, i.desc,
        _none_if_empty(i.snapshotId),
        tuple(m.ImageDisk(d.deviceName, d.cloudDisk.diskType, d.cloudDisk.diskSizeGB,
                          _none_if_empty(d.cloudDisk.snapshotId)) for d in i.dataDisks),
        tuple(i.sharedWith), m.ImageConstraint(c.constraintsType, tuple(c.instanceTypes)) if c else None,
        _none_if_empty(i.instanceId), i.progress,
    )


def _nic_of(_t: Seconds, n: NetworkInterface) -> m.NetworkInterface:
    return _new_nic(
        n.networkInterfaceId, n.ownerPin, n.regionId, n.az, n.vpcId, n.subnetId, n.primaryIp.privateIpAddress,
        n.role, n.networkInterfaceName, n.description, tuple(n.networkSecurityGroupIds), n.macAddress,
        n.sanityCheck, n.primaryIp.elasticIpId or None, n.instanceId or None, n.deviceIndex,
        n.autoDelete, _t(n.createdTime),
    )


def _eip_of(_t: Seconds, charge_of: ChargeOf, e: ElasticIp) -> m.ElasticIp:
    return _new_eip(
        e.elasticIpId, e.ownerPin, e.regionId, e.elasticIpAddress, e.bandwidthMbps, e.provider, e.az,
        e.networkInterfaceId or None, e.instanceId or None, e.privateIpAddress or None,
        charge_of(e.charge, _USAGE_CHARGE), _t(e.createdTime),
    )


def _disk_of(_t: Seconds, charge_of: ChargeOf, d: Disk) -> m.Disk:
    return _new_disk(
        d.diskId, d.ownerPin, d.regionId, d.az, d.name, d.diskType, d.diskSizeGB, d.status, d.description,
        tuple(m.DiskAttachment(a.instanceId, a.status, _t(a.attachTime)) for a in d.attachments),
        d.snapshotId or None, d.multiAttachable, d.encrypted, charge_of(d.charge, _NO_CHARGE),
        _t(d.createTime),
    )


def _template_disk_of(d: TemplateDisk) -> m.TemplateDisk:
    body = d.instanceTemplateDisk
    return m.TemplateDisk(d.diskCategory, body.diskType, body.diskSizeGB, d.autoDelete,
                          _none_if_empty(body.snapshotId), d.deviceName)


def _template_of(_t: Seconds, t: InstanceTemplate) -> m.InstanceTemplate:
    data = t.instanceTemplateData
    nic = data.primaryNetworkInterface.networkInterface
    return m.InstanceTemplate(
        t.id, t.ownerPin, t.regionId, t.name, data.instanceType, data.imageId, data.vpcId, nic.subnetId,
        tuple(nic.securityGroups), _template_disk_of(data.systemDisk), t.description,
        tuple(_template_disk_of(d) for d in data.dataDisks),
        data.elasticIp.bandwidthMbps if data.elasticIp is not None else None, tuple(data.keyNames),
        _t(t.createdTime),
    )


def world_from_dict(data: object, make: type[W]) -> W:
    """Read a snapshot (docs/world-format.md) into a world of class ``make``. Raises ``SnapshotError`` naming
    the path of the first problem; nothing is built unless the whole snapshot is valid. Usage counters are
    recomputed."""
    if not isinstance(data, dict):
        raise SnapshotError("", f"a snapshot is a JSON object, got {type(data).__name__}")
    times = TimeTexts()
    with collector_paused():  # a bulk build of long-lived objects (vmrules.bulk)
        try:
            snap = WorldSnapshot.model_validate(data, context={"times": times})
        except ValidationError as error:
            raise _first_error(error) from None
        return _Reader(snap, times).build(make)


def world_from_json(text: str | bytes, make: type[W]) -> W:
    """Read a snapshot from its JSON text: the same as ``world_from_dict(json.loads(text), make)``, and the same
    ``SnapshotError`` for the same document, but pydantic parses and validates the text in one pass (no
    intermediate dicts; about half the time). Text that is not JSON is a ``SnapshotError`` at path ``""``."""
    times = TimeTexts()
    with collector_paused():  # a bulk build of long-lived objects (vmrules.bulk)
        try:
            snap = WorldSnapshot.model_validate_json(text, context={"times": times})
        except ValidationError as error:
            raise _text_error(error) from None
        return _Reader(snap, times).build(make)


def _text_error(error: ValidationError) -> SnapshotError:
    first = error.errors(include_url=False)[0]
    if first["type"] == "model_type" and not first["loc"]:
        return SnapshotError("", f"a snapshot is a JSON object, got {_json_type(first.get('input'))}")
    if first["type"] == "json_invalid":
        return SnapshotError("", f"not JSON: {first.get('ctx', {}).get('error', first['msg'])}")
    return _first_error(error)


def _json_type(value: object) -> str:
    return type(value).__name__
