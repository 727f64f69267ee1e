"""World snapshots: a JSON-compatible document holding a whole world, in the API's own camelCase shapes.

``world_to_dict(world)`` writes a snapshot; ``world_from_dict(data)`` reads one back, so that
``world_from_dict(world_to_dict(w)) == w``. Reading validates the document against the pydantic models
below (strict JSON types, unknown fields refused), then checks ids and references, and only then builds
the world: a malformed snapshot raises one ``SnapshotError`` naming the path of the first problem
(``instances[3].systemDisk.diskCategory``) and never yields a half-built world. The format is described in
docs/world-format.md; ``world_json_schema()`` gives its JSON Schema (published as docs/world-schema.json).

Conventions of the format:

* every entity has the shape of the API's own model (vm service: Instance, Image, InstanceType, Keypair,
  InstanceTemplate; disk service: Disk, Snapshot; vpc service: NetworkInterface, ElasticIp, Subnet, Vpc,
  NetworkSecurityGroup; ag service: AvailabilityGroup), plus a few model-only fields (``ownerPin``,
  ``regionId``, ...) described as such in the schema;
* each fact has one home. Other resources are referenced by id; nested copies of another resource (an
  instance's ``cloudDisk``, its interfaces) are written as references and anything else in them is ignored;
  fields marked *derived* (an instance's ``privateIpAddress``, a disk's ``enable``, ...) are written for
  reading and ignored when read;
* times are ISO-8601 strings; ``""`` stands for "none" where the API uses it (``chargeExpiredTime``,
  ``snapshotId``, ``instanceId``);
* usage counters are not stored: they are recomputed (``vmrules.usage.recount_usage``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Annotated, Any, Literal

from immutables import Map
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from vmrules import model as m
from vmrules.clock import DEFAULT_EPOCH, iso, parse_iso
from vmrules.views import (
    disk_view,
    elastic_ip_view,
    image_view,
    instance_type_view,
    instance_view,
    network_interface_view,
    security_group_view,
    subnet_view,
    vpc_view,
)
from vmrules.world import World

JSON = dict[str, Any]

FORMAT_VERSION = 1
SCHEMA_ID = "https://vmrules.invalid/world-schema.json"
REGENERATE_SCHEMA = (
    'python -c "from vmrules.snapshot import world_schema_text as t; '
    "open('docs/world-schema.json', 'w', encoding='utf-8').write(t())\""
)


class SnapshotError(ValueError):
    """A malformed snapshot. ``path`` names where (``instances[3].systemDisk.diskCategory``; ``""`` for the
    snapshot as a whole); ``problem`` says what is wrong."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path or 'snapshot'}: {problem}")


# ---- the format, as pydantic models -------------------------------------------------------------------


def _check_time(text: str) -> str:
    if parse_iso(text) is None:
        raise ValueError(f"{text[:40]!r} is not an ISO-8601 time such as 2026-01-01T00:00:00Z")
    return text


def _check_time_or_empty(text: str) -> str:
    return text if text == "" else _check_time(text)


IsoTime = Annotated[str, AfterValidator(_check_time), Field(json_schema_extra={"format": "date-time"})]
IsoTimeOrEmpty = Annotated[str, AfterValidator(_check_time_or_empty),
                           Field(description='an ISO-8601 time, or "" for none')]
EPOCH0 = iso(0)

_DERIVED = "derived: written for reading, ignored when read"
_REF = "a reference: only the id is read; other members (a pasted copy of the resource) are ignored"


def _derived(what: str = "") -> Any:
    return Field(None, description=f"{_DERIVED}{' (' + what + ')' if what else ''}")


def _model_only(what: str) -> str:
    return f"model-only: {what}"


OwnerPin = Annotated[str, Field(description=_model_only("the pin of the owning account"))]
RegionId = Annotated[str, Field(description=_model_only("the region the resource is in"))]


class _Shape(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True,
                              field_title_generator=lambda name, _info: name)


class _Ref(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True,
                              field_title_generator=lambda name, _info: name)


class Region(_Shape):
    """model-only: a region and its availability zones."""

    regionId: str
    azs: list[str]


class Quota(_Shape):
    """describeQuotas' Quota without ``used`` (usage is derived from the entities)."""

    resourceType: str
    limit: int


class Account(_Shape):
    """model-only: an account (pin), whether it passed real-name verification, and its per-region quotas."""

    pin: str
    realNameVerified: bool = True
    quotas: list[Quota] = []


class Charge(_Shape):
    """The API's Charge. ``chargeStatus`` is the recorded status: a prepaid resource past its
    ``chargeExpiredTime`` reads as overdue without it being recorded."""

    chargeMode: m.ChargeMode
    chargeStatus: m.ChargeStatus = "normal"
    chargeStartTime: IsoTime = EPOCH0
    chargeExpiredTime: IsoTimeOrEmpty = ""
    chargeRetireTime: Any = _derived()


class InstanceTypeState(_Shape):
    az: str
    inStock: bool


class Gpu(_Shape):
    model: str
    number: int


class LocalDisk(_Shape):
    diskType: str
    diskSizeGB: int


class InstanceType(_Shape):
    """The vm service's InstanceType, plus ``offline``."""

    family: str
    instanceType: str
    cpu: int
    memoryMB: int
    nicLimit: int
    desc: str = ""
    state: list[InstanceTypeState] = []
    gpu: Gpu | None = None
    localDisks: list[LocalDisk] = []
    generation: int
    offline: bool = Field(False, description=_model_only("the type is no longer sold (下线)"))


class ImageConstraint(_Shape):
    """The vm service's ImageInstanceTypeConstraint."""

    constraintsType: Literal["excludes", "includes"]
    instanceTypes: list[str]


class ImageCloudDisk(_Shape):
    diskType: str
    diskSizeGB: int
    snapshotId: str = ""


class ImageDataDisk(_Shape):
    """An InstanceDiskAttachment of a whole-machine image: a cloud data disk captured in the image."""

    diskCategory: Literal["cloud"] = "cloud"
    autoDelete: Any = _derived()
    cloudDisk: ImageCloudDisk
    deviceName: str
    status: Any = _derived()


class Image(_Shape):
    """The vm service's Image. ``imageSource`` is the image's own source (public, thirdparty, private), never
    ``shared`` (that is how another account sees a private image)."""

    imageId: str
    name: str
    platform: str
    osVersion: str
    architecture: str = "x86_64"
    systemDiskSizeGB: int
    imageSource: m.ImageSource
    osType: m.OsType
    status: m.ImageStatus = "ready"
    createTime: IsoTime = EPOCH0
    sizeMB: int = 0
    desc: str = ""
    systemDisk: Any = _derived("from rootDeviceType")
    dataDisks: list[ImageDataDisk] = []
    snapshotId: str = ""
    rootDeviceType: m.RootDeviceType
    progress: str = "100%"
    ownerPin: str = Field(description=f"the owner's pin; {m.PLATFORM_OWNER!r} for official and third-party images")
    instanceId: str = Field("", description="the instance the image was created from, or \"\"")
    regionId: RegionId
    sharedWith: list[str] = Field([], description=_model_only("the pins the image is shared with"))
    imageInstanceTypeConstraint: ImageConstraint | None = Field(
        None, description=_model_only("the instance types the image supports (describeImageConstraints)"))


class DiskAttachment(_Shape):
    """The disk service's DiskAttachment."""

    attachmentId: Any = _derived()
    diskId: Any = _derived()
    instanceType: Any = _derived()
    instanceId: str
    status: m.AttachmentStatus
    attachTime: IsoTime = EPOCH0


class Disk(_Shape):
    """The disk service's Disk."""

    diskId: str
    az: str
    name: str
    description: str = ""
    diskType: str
    diskSizeGB: int
    status: m.DiskStatus = "available"
    attachments: list[DiskAttachment] = []
    snapshotId: str = ""
    multiAttachable: bool = False
    encrypted: bool = False
    enable: Any = _derived()
    createTime: IsoTime = EPOCH0
    charge: Charge | None = Field(None, description="null or absent: postpaid_by_duration, normal")
    ownerPin: OwnerPin
    regionId: RegionId


class CloudDiskRef(_Ref):
    """A reference to a disk of the ``disks`` collection."""

    diskId: str


class SystemDiskAttachment(_Shape):
    """An instance's system disk (InstanceDiskAttachment): ``localDisk`` when local, ``cloudDisk`` (a
    reference into ``disks``) when cloud."""

    diskCategory: m.DiskCategory
    autoDelete: bool = True
    localDisk: LocalDisk | None = None
    cloudDisk: CloudDiskRef | None = Field(None, description=_REF)
    deviceName: str = "vda"
    status: Any = _derived("always attached")


class DataDiskAttachment(_Shape):
    """An instance's data disk (InstanceDiskAttachment): the instance side of the attachment; the disk itself
    is in ``disks``."""

    diskCategory: Literal["cloud"] = "cloud"
    autoDelete: bool
    cloudDisk: CloudDiskRef = Field(description=_REF)
    deviceName: str
    status: m.AttachmentStatus = "attached"


class NetworkInterfaceRef(_Ref):
    """A reference to an interface of the ``networkInterfaces`` collection."""

    networkInterfaceId: str


class NetworkInterfaceAttachment(_Shape):
    """An instance's InstanceNetworkInterfaceAttachment: a reference into ``networkInterfaces``."""

    deviceIndex: Any = _derived("the interface's deviceIndex")
    autoDelete: Any = _derived("the interface's autoDelete")
    networkInterface: NetworkInterfaceRef = Field(description=_REF)


class AgRef(_Shape):
    id: str = ""
    name: Any = _derived()


class Instance(_Shape):
    """The vm service's Instance."""

    instanceId: str
    instanceName: str
    hostname: str = ""
    instanceType: str
    vpcId: str
    subnetId: str
    privateIpAddress: Any = _derived("the primary interface's address")
    elasticIpId: Any = _derived("the primary interface's elastic IP")
    elasticIpAddress: Any = _derived("the primary interface's elastic IP")
    status: m.InstanceStatus
    description: str = ""
    imageId: str
    systemDisk: SystemDiskAttachment
    dataDisks: list[DataDiskAttachment] = []
    primaryNetworkInterface: NetworkInterfaceAttachment
    secondaryNetworkInterfaces: list[NetworkInterfaceAttachment] = []
    launchTime: IsoTime = EPOCH0
    az: str
    keyNames: list[str] = []
    charge: Charge | None = Field(description="null: the instance has no billing information")
    ag: AgRef | None = None
    faultDomain: str = ""
    tags: Any = _derived()
    ownerPin: OwnerPin
    regionId: RegionId
    passwordDigest: str | None = Field(None, description=_model_only("sha256 of the password in effect"))
    pendingPasswordDigest: str | None = Field(
        None, description=_model_only("sha256 of a new password that takes effect at the next start or reboot"))
    seq: int = Field(0, description=_model_only("creation sequence number: the order of describeInstances"))


class PrimaryIp(_Shape):
    privateIpAddress: str
    elasticIpId: str = ""
    elasticIpAddress: Any = _derived()


class NetworkInterface(_Shape):
    """The vpc service's NetworkInterface."""

    networkInterfaceName: str = ""
    networkInterfaceId: str
    az: str
    role: Literal["Primary", "Secondary"]
    macAddress: str = ""
    vpcId: str
    subnetId: str
    networkSecurityGroupIds: list[str] = []
    sanityCheck: int = 1
    primaryIp: PrimaryIp
    secondaryIps: Any = _derived()
    instanceType: Any = _derived()
    instanceId: str = ""
    instanceOwnerId: Any = _derived()
    deviceIndex: int = 0
    description: str = ""
    createdTime: IsoTime = EPOCH0
    autoDelete: bool = Field(False, description=_model_only("deleted with the instance it is attached to"))
    ownerPin: OwnerPin
    regionId: RegionId


class ElasticIp(_Shape):
    """The vpc service's ElasticIp. ``az`` "" is all-AZ (全可用区)."""

    elasticIpId: str
    elasticIpAddress: str
    bandwidthMbps: int
    provider: str = "bgp"
    privateIpAddress: str = ""
    networkInterfaceId: str = ""
    instanceId: str = ""
    instanceType: Any = _derived()
    charge: Charge | None = Field(None, description="null or absent: postpaid_by_usage, normal")
    createdTime: IsoTime = EPOCH0
    az: str = ""
    ownerPin: OwnerPin
    regionId: RegionId


class Vpc(_Shape):
    """The vpc service's Vpc."""

    vpcId: str
    vpcName: str
    addressPrefix: str
    ownerPin: OwnerPin
    regionId: RegionId


class Subnet(_Shape):
    """The vpc service's Subnet."""

    subnetId: str
    subnetName: str
    vpcId: str
    addressPrefix: str
    az: str
    ownerPin: OwnerPin
    regionId: RegionId
    nextHost: int = Field(4, description=_model_only("host offset of the next private address handed out"))
    reservedHosts: list[int] = Field(default_factory=list, description=_model_only(
        "host offsets at or past nextHost taken by explicitly chosen addresses (the allocator skips them)"))


class SecurityGroup(_Shape):
    """The vpc service's NetworkSecurityGroup."""

    networkSecurityGroupId: str
    networkSecurityGroupName: str
    description: str = ""
    vpcId: str
    securityGroupRules: Any = _derived()
    networkSecurityGroupType: Literal["default", "custom"] = "custom"
    ownerPin: OwnerPin
    regionId: RegionId


class Keypair(_Shape):
    """The vm service's Keypair."""

    keyName: str
    keyFingerprint: str
    createTime: IsoTime = EPOCH0
    ownerPin: OwnerPin
    regionId: RegionId


class Snapshot(_Shape):
    """The disk service's Snapshot."""

    snapshotId: str
    diskId: str = Field("", description='the disk it was taken from, or ""')
    snapshotSizeGB: int
    images: list[str] = Field([], max_length=1, description="the image it belongs to, if any (at most one)")
    status: Literal["creating", "available", "deleting"] = "available"
    createTime: IsoTime = EPOCH0
    diskType: str = Field(description=_model_only("the type of disk it restores to"))
    ownerPin: OwnerPin
    regionId: RegionId


class TemplateDiskBody(_Shape):
    diskType: str
    diskSizeGB: int
    snapshotId: str = ""


class TemplateDisk(_Shape):
    """The vm service's InstanceTemplateDiskAttachment."""

    diskCategory: m.DiskCategory
    autoDelete: bool = True
    instanceTemplateDisk: TemplateDiskBody
    deviceName: str = ""
    noDevice: Any = _derived()


class TemplateNetworkInterface(_Shape):
    subnetId: str
    securityGroups: list[str] = []
    sanityCheck: Any = _derived()


class TemplateNetworkInterfaceAttachment(_Shape):
    deviceIndex: Any = _derived("always 1")
    autoDelete: Any = _derived("always true")
    networkInterface: TemplateNetworkInterface


class TemplateElasticIp(_Shape):
    bandwidthMbps: int
    provider: Any = _derived()
    chargeMode: Any = _derived()


class InstanceTemplateData(_Shape):
    instanceType: str
    vpcId: str
    imageId: str
    includePassword: Any = _derived()
    systemDisk: TemplateDisk
    dataDisks: list[TemplateDisk] = []
    primaryNetworkInterface: TemplateNetworkInterfaceAttachment
    elasticIp: TemplateElasticIp | None = None
    keyNames: list[str] = []


class InstanceTemplate(_Shape):
    """The vm service's InstanceTemplate."""

    id: str
    name: str
    description: str = ""
    instanceTemplateData: InstanceTemplateData
    ags: Any = _derived("from availabilityGroups")
    createdTime: IsoTime = EPOCH0
    ownerPin: OwnerPin
    regionId: RegionId


class AvailabilityGroup(_Shape):
    """The ag service's AvailabilityGroup."""

    id: str
    name: str
    instanceTemplateId: str
    azs: list[str]
    ownerPin: OwnerPin
    regionId: RegionId


class Task(_Shape):
    """model-only: asynchronous work in progress on a resource; ``settle`` completes it."""

    kind: str = Field(description="the operation whose completion finishes it, e.g. stopInstance")
    resourceId: str
    started: IsoTime
    ref: str | None = Field(None, description="the other party, when there is one")


class ClientToken(_Shape):
    """model-only: the instances a createInstances call with this clientToken created (idempotency)."""

    ownerPin: str
    regionId: str
    clientToken: str
    instanceIds: list[str]


class WorldSnapshot(_Shape):
    """A vmrules world (docs/world-format.md). Every collection may be omitted (empty)."""

    model_config = ConfigDict(title="vmrules world snapshot")

    formatVersion: Literal[1] = 1
    clock: IsoTime = Field(iso(DEFAULT_EPOCH), description="the world's logical clock")
    sequence: int = Field(0, description="the sequence new ids are derived from")
    defaultAccount: str = Field("", description="the pin that acts when a request names no caller")
    regions: list[Region] = []
    accounts: list[Account] = []
    instanceTypes: list[InstanceType] = []
    images: list[Image] = []
    vpcs: list[Vpc] = []
    subnets: list[Subnet] = []
    securityGroups: list[SecurityGroup] = []
    networkInterfaces: list[NetworkInterface] = []
    elasticIps: list[ElasticIp] = []
    disks: list[Disk] = []
    snapshots: list[Snapshot] = []
    keypairs: list[Keypair] = []
    instances: list[Instance] = []
    instanceTemplates: list[InstanceTemplate] = []
    availabilityGroups: list[AvailabilityGroup] = []
    tasks: list[Task] = []
    clientTokens: list[ClientToken] = []


def world_json_schema() -> dict[str, Any]:
    """The JSON Schema of snapshots (docs/world-schema.json)."""
    schema = WorldSnapshot.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def world_schema_text() -> str:
    """docs/world-schema.json's exact text."""
    return json.dumps(world_json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


# ---- writing ------------------------------------------------------------------------------------------


def _time(seconds: int) -> str:
    return iso(seconds)


def _charge(charge: m.Charge | None) -> JSON | None:
    if charge is None:
        return None
    return {
        "chargeMode": charge.mode,
        "chargeStatus": charge.status,
        "chargeStartTime": _time(charge.start_time),
        "chargeExpiredTime": _time(charge.expire_time) if charge.expire_time is not None else "",
        "chargeRetireTime": "",
    }


def _owned(entity: Any) -> JSON:
    return {"ownerPin": entity.owner, "regionId": entity.region}


def _nic_ref(world: World, nic_id: str) -> JSON:
    nic = world.network_interfaces.get(nic_id)
    return {
        "deviceIndex": nic.device_index if nic else None,
        "autoDelete": nic.auto_delete if nic else None,
        "networkInterface": {"networkInterfaceId": nic_id},
    }


def _instance(world: World, inst: m.Instance) -> JSON:
    out = instance_view(world, inst)
    sd = inst.system_disk
    system: JSON = {"diskCategory": sd.category, "autoDelete": sd.auto_delete}
    if sd.category == "local":
        system["localDisk"] = {"diskType": sd.local_disk_type, "diskSizeGB": sd.local_size_gb}
    else:
        system["cloudDisk"] = {"diskId": sd.disk_id or ""}
    system.update(deviceName=sd.device_name, status="attached")
    out["systemDisk"] = system
    out["dataDisks"] = [
        {"diskCategory": "cloud", "autoDelete": dd.auto_delete, "cloudDisk": {"diskId": dd.disk_id},
         "deviceName": dd.device_name, "status": dd.status}
        for dd in inst.data_disks
    ]
    out["primaryNetworkInterface"] = _nic_ref(world, inst.primary_nic_id)
    out["secondaryNetworkInterfaces"] = [_nic_ref(world, n) for n in inst.secondary_nic_ids]
    out["charge"] = _charge(inst.charge)
    out.update(_owned(inst), passwordDigest=inst.password_digest, pendingPasswordDigest=inst.pending_password_digest,
               seq=inst.seq)
    return out


def _image(world: World, image: m.Image) -> JSON:
    out = image_view(world, image)
    c = image.constraint
    out.update(
        instanceId=image.source_instance_id or "",
        regionId=image.region,
        sharedWith=list(image.shared_with),
        imageInstanceTypeConstraint=(
            {"constraintsType": c.constraints_type, "instanceTypes": list(c.instance_types)} if c else None),
    )
    return out


def _instance_type(itype: m.InstanceType) -> JSON:
    return {**instance_type_view(itype), "offline": itype.offline}


def _disk(world: World, disk: m.Disk) -> JSON:
    return {**disk_view(world, disk), "charge": _charge(disk.charge), **_owned(disk)}


def _network_interface(world: World, nic: m.NetworkInterface) -> JSON:
    out = network_interface_view(world, nic)
    out["primaryIp"]["elasticIpId"] = nic.elastic_ip_id or ""
    return {**out, "autoDelete": nic.auto_delete, **_owned(nic)}


def _elastic_ip(world: World, eip: m.ElasticIp) -> JSON:
    return {**elastic_ip_view(world, eip), "charge": _charge(eip.charge), **_owned(eip)}


def _template_disk(d: m.TemplateDisk) -> JSON:
    return {
        "diskCategory": d.category,
        "autoDelete": d.auto_delete,
        "instanceTemplateDisk": {"diskType": d.disk_type, "diskSizeGB": d.size_gb, "snapshotId": d.snapshot_id or ""},
        "deviceName": d.device_name,
        "noDevice": False,
    }


def _template(world: World, t: m.InstanceTemplate) -> JSON:
    ags = [{"id": ag.ag_id, "name": ag.name} for ag in _sorted(world.availability_groups.values(), "ag_id")
           if ag.template_id == t.template_id]
    return {
        "id": t.template_id,
        "name": t.name,
        "description": t.description,
        "instanceTemplateData": {
            "instanceType": t.instance_type,
            "vpcId": t.vpc_id,
            "imageId": t.image_id,
            "includePassword": False,
            "systemDisk": _template_disk(t.system_disk),
            "dataDisks": [_template_disk(d) for d in t.data_disks],
            "primaryNetworkInterface": {
                "deviceIndex": 1,
                "autoDelete": True,
                "networkInterface": {"subnetId": t.subnet_id, "securityGroups": list(t.security_group_ids),
                                     "sanityCheck": 1},
            },
            "elasticIp": ({"bandwidthMbps": t.elastic_ip_bandwidth_mbps, "provider": "bgp",
                           "chargeMode": "bandwith"} if t.elastic_ip_bandwidth_mbps is not None else None),
            "keyNames": list(t.key_names),
        },
        "ags": ags,
        "createdTime": _time(t.create_time),
        **_owned(t),
    }


def _sorted(entities: Iterable[Any], key: str) -> list[Any]:
    return sorted(entities, key=lambda e: getattr(e, key))


def world_to_dict(world: World) -> JSON:
    """The snapshot of ``world``: a JSON-compatible dict (docs/world-format.md). Collections are sorted by id
    (instances by creation sequence), so equal worlds give equal snapshots."""
    w = world
    return {
        "formatVersion": FORMAT_VERSION,
        "clock": _time(w.clock),
        "sequence": w.sequence,
        "defaultAccount": w.default_account,
        "regions": [{"regionId": r.region_id, "azs": list(r.azs)} for r in _sorted(w.regions.values(), "region_id")],
        "accounts": [
            {"pin": a.pin, "realNameVerified": a.real_name_verified,
             "quotas": [{"resourceType": t, "limit": n} for t, n in a.quotas]}
            for a in _sorted(w.accounts.values(), "pin")
        ],
        "instanceTypes": [_instance_type(t) for t in _sorted(w.instance_types.values(), "instance_type")],
        "images": [_image(w, i) for i in _sorted(w.images.values(), "image_id")],
        "vpcs": [{**vpc_view(v), **_owned(v)} for v in _sorted(w.vpcs.values(), "vpc_id")],
        "subnets": [{**subnet_view(s), **_owned(s), "nextHost": s.next_host,
                      "reservedHosts": list(s.reserved)}
                    for s in _sorted(w.subnets.values(), "subnet_id")],
        "securityGroups": [{**security_group_view(g), **_owned(g)}
                           for g in _sorted(w.security_groups.values(), "security_group_id")],
        "networkInterfaces": [_network_interface(w, n) for n in _sorted(w.network_interfaces.values(), "nic_id")],
        "elasticIps": [_elastic_ip(w, e) for e in _sorted(w.elastic_ips.values(), "elastic_ip_id")],
        "disks": [_disk(w, d) for d in _sorted(w.disks.values(), "disk_id")],
        "snapshots": [
            {"snapshotId": s.snapshot_id, "diskId": s.source_disk_id or "", "snapshotSizeGB": s.size_gb,
             "images": [s.image_id] if s.image_id else [], "status": s.status, "createTime": _time(s.create_time),
             "diskType": s.disk_type, **_owned(s)}
            for s in _sorted(w.snapshots.values(), "snapshot_id")
        ],
        "keypairs": [
            {"keyName": k.key_name, "keyFingerprint": k.fingerprint, "createTime": _time(k.create_time), **_owned(k)}
            for k in sorted(w.keypairs.values(), key=lambda k: (k.owner, k.region, k.key_name))
        ],
        "instances": [_instance(w, i) for i in sorted(w.instances.values(), key=lambda i: (i.seq, i.instance_id))],
        "instanceTemplates": [_template(w, t) for t in _sorted(w.templates.values(), "template_id")],
        "availabilityGroups": [
            {"id": g.ag_id, "name": g.name, "instanceTemplateId": g.template_id, "azs": list(g.azs), **_owned(g)}
            for g in _sorted(w.availability_groups.values(), "ag_id")
        ],
        "tasks": [
            {"kind": t.kind, "resourceId": t.resource_id, "started": _time(t.started), "ref": t.ref}
            for t in _sorted(w.tasks.values(), "resource_id")
        ],
        "clientTokens": [
            {"ownerPin": pin, "regionId": region, "clientToken": token, "instanceIds": list(ids)}
            for (pin, region, token), ids in sorted(w.client_tokens.items())
        ],
    }


# ---- reading ------------------------------------------------------------------------------------------


def _path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def _first_error(error: ValidationError) -> SnapshotError:
    first = error.errors(include_url=False)[0]
    message = first["msg"]
    if first["type"] == "value_error":
        message = str(first.get("ctx", {}).get("error", message))
    elif first["type"] != "missing":
        shown = repr(first.get("input"))
        message += f" (got {shown[:60]}{'...' if len(shown) > 60 else ''})"
    return SnapshotError(_path(first["loc"]), message)


def _t(text: str) -> int:
    seconds = parse_iso(text)
    assert seconds is not None  # validated by IsoTime
    return seconds


def _charge_of(c: Charge | None, default: m.Charge) -> m.Charge:
    if c is None:
        return default
    expiry = _t(c.chargeExpiredTime) if c.chargeExpiredTime else None
    return m.Charge(c.chargeMode, c.chargeStatus, _t(c.chargeStartTime), expiry)


def _none_if_empty(text: str) -> str | None:
    return text or None


class _Reader:
    """Builds the entities of a validated snapshot, checking ids and references; raises SnapshotError."""

    def __init__(self, snap: WorldSnapshot) -> None:
        self.s = snap

    def unique(self, collection: str, ids: Sequence[Any]) -> dict[Any, int]:
        seen: dict[Any, int] = {}
        for index, rid in enumerate(ids):
            if rid in seen:
                raise SnapshotError(f"{collection}[{index}]",
                                    f"duplicate id {rid!r} (also {collection}[{seen[rid]}])")
            seen[rid] = index
        return seen

    def build(self) -> World:
        s = self.s
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
        images = {i.imageId: _image_of(i) for i in s.images}
        vpcs = {v.vpcId: m.Vpc(v.vpcId, v.ownerPin, v.regionId, v.vpcName, v.addressPrefix) for v in s.vpcs}
        subnets = {n.subnetId: m.Subnet(n.subnetId, n.ownerPin, n.regionId, n.vpcId, n.az, n.subnetName,
                                        n.addressPrefix, n.nextHost, tuple(sorted(set(n.reservedHosts))))
                   for n in s.subnets}
        groups = {g.networkSecurityGroupId: m.SecurityGroup(
            g.networkSecurityGroupId, g.ownerPin, g.regionId, g.vpcId, g.networkSecurityGroupName,
            g.networkSecurityGroupType == "default", g.description) for g in s.securityGroups}
        nics = {n.networkInterfaceId: _nic_of(n) for n in s.networkInterfaces}
        eips = {e.elasticIpId: _eip_of(e) for e in s.elasticIps}
        disks = {d.diskId: _disk_of(d) for d in s.disks}
        snapshots = {p.snapshotId: m.Snapshot(
            p.snapshotId, p.ownerPin, p.regionId, p.diskType, p.snapshotSizeGB, p.status,
            _none_if_empty(p.diskId), p.images[0] if p.images else None, _t(p.createTime)) for p in s.snapshots}
        keypairs = {(k.ownerPin, k.regionId, k.keyName): m.Keypair(
            k.keyName, k.ownerPin, k.regionId, k.keyFingerprint, _t(k.createTime)) for k in s.keypairs}
        instances = {i.instanceId: self.instance_of(index, i) for index, i in enumerate(s.instances)}
        templates = {t.id: _template_of(t) for t in s.instanceTemplates}
        ags = {g.id: m.AvailabilityGroup(g.id, g.ownerPin, g.regionId, g.name, g.instanceTemplateId, tuple(g.azs))
               for g in s.availabilityGroups}
        tasks = {t.resourceId: m.Task(t.kind, t.resourceId, _t(t.started), t.ref) for t in s.tasks}
        tokens = {(c.ownerPin, c.regionId, c.clientToken): tuple(c.instanceIds) for c in s.clientTokens}

        world = World(
            clock=_t(s.clock), default_account=s.defaultAccount, sequence=s.sequence,
            regions=Map(regions), accounts=Map(accounts), instance_types=Map(types), images=Map(images),
            instances=Map(instances), disks=Map(disks), network_interfaces=Map(nics), elastic_ips=Map(eips),
            vpcs=Map(vpcs), subnets=Map(subnets), security_groups=Map(groups), keypairs=Map(keypairs),
            snapshots=Map(snapshots), templates=Map(templates), availability_groups=Map(ags), tasks=Map(tasks),
            client_tokens=Map(tokens),
        )
        _References(world, s).check()
        from vmrules.builders import reindex_subnets
        from vmrules.usage import recount_usage

        return reindex_subnets(world).evolve(usage=recount_usage(world))

    def instance_of(self, index: int, i: Instance) -> m.Instance:
        at = f"instances[{index}].systemDisk"
        sd = i.systemDisk
        if sd.diskCategory == "local":
            if sd.localDisk is None:
                raise SnapshotError(f"{at}.localDisk", "a local system disk needs localDisk {diskType, diskSizeGB}")
            if sd.cloudDisk is not None:
                raise SnapshotError(f"{at}.cloudDisk", "a local system disk has no cloudDisk")
            system = m.SystemDisk("local", sd.autoDelete, sd.localDisk.diskSizeGB, sd.localDisk.diskType, None,
                                  sd.deviceName)
        else:
            if sd.cloudDisk is None:
                raise SnapshotError(f"{at}.cloudDisk", "a cloud system disk needs cloudDisk {diskId}")
            if sd.localDisk is not None:
                raise SnapshotError(f"{at}.localDisk", "a cloud system disk has no localDisk")
            system = m.SystemDisk("cloud", sd.autoDelete, disk_id=sd.cloudDisk.diskId, device_name=sd.deviceName)
        return m.Instance(
            i.instanceId, i.ownerPin, i.regionId, i.az, i.instanceName, i.instanceType, i.imageId, i.status,
            i.vpcId, i.subnetId, i.primaryNetworkInterface.networkInterface.networkInterfaceId, system,
            i.description, i.hostname,
            tuple(m.InstanceDisk(d.cloudDisk.diskId, d.deviceName, d.autoDelete, d.status) for d in i.dataDisks),
            tuple(n.networkInterface.networkInterfaceId for n in i.secondaryNetworkInterfaces), tuple(i.keyNames),
            _charge_of(i.charge, m.Charge()) if i.charge is not None else None,
            (i.ag.id or None) if i.ag is not None else None, i.faultDomain, _t(i.launchTime), i.passwordDigest,
            i.pendingPasswordDigest, i.seq,
        )


def _instance_type_of(t: InstanceType) -> m.InstanceType:
    return m.InstanceType(
        t.instanceType, t.family, t.generation, t.cpu, t.memoryMB, t.nicLimit, t.desc,
        tuple(m.AzStock(s.az, s.inStock) for s in t.state), m.Gpu(t.gpu.model, t.gpu.number) if t.gpu else None,
        tuple(m.LocalDisk(d.diskType, d.diskSizeGB) for d in t.localDisks), t.offline,
    )


def _image_of(i: Image) -> m.Image:
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


def _nic_of(n: NetworkInterface) -> m.NetworkInterface:
    return m.NetworkInterface(
        n.networkInterfaceId, n.ownerPin, n.regionId, n.az, n.vpcId, n.subnetId, n.primaryIp.privateIpAddress,
        n.role, n.networkInterfaceName, n.description, tuple(n.networkSecurityGroupIds), n.macAddress,
        n.sanityCheck, _none_if_empty(n.primaryIp.elasticIpId), _none_if_empty(n.instanceId), n.deviceIndex,
        n.autoDelete, _t(n.createdTime),
    )


def _eip_of(e: ElasticIp) -> m.ElasticIp:
    return m.ElasticIp(
        e.elasticIpId, e.ownerPin, e.regionId, e.elasticIpAddress, e.bandwidthMbps, e.provider, e.az,
        _none_if_empty(e.networkInterfaceId), _none_if_empty(e.instanceId), _none_if_empty(e.privateIpAddress),
        _charge_of(e.charge, m.Charge(mode="postpaid_by_usage")), _t(e.createdTime),
    )


def _disk_of(d: Disk) -> m.Disk:
    return m.Disk(
        d.diskId, d.ownerPin, d.regionId, d.az, d.name, d.diskType, d.diskSizeGB, d.status, d.description,
        tuple(m.DiskAttachment(a.instanceId, a.status, _t(a.attachTime)) for a in d.attachments),
        _none_if_empty(d.snapshotId), d.multiAttachable, d.encrypted, _charge_of(d.charge, m.Charge()),
        _t(d.createTime),
    )


def _template_disk_of(d: TemplateDisk) -> m.TemplateDisk:
    body = d.instanceTemplateDisk
    return m.TemplateDisk(d.diskCategory, body.diskType, body.diskSizeGB, d.autoDelete,
                          _none_if_empty(body.snapshotId), d.deviceName)


def _template_of(t: InstanceTemplate) -> m.InstanceTemplate:
    data = t.instanceTemplateData
    nic = data.primaryNetworkInterface.networkInterface
    return m.InstanceTemplate(
        t.id, t.ownerPin, t.regionId, t.name, data.instanceType, data.imageId, data.vpcId, nic.subnetId,
        tuple(nic.securityGroups), _template_disk_of(data.systemDisk), t.description,
        tuple(_template_disk_of(d) for d in data.dataDisks),
        data.elasticIp.bandwidthMbps if data.elasticIp is not None else None, tuple(data.keyNames),
        _t(t.createdTime),
    )


class _References:
    """The referential checks of a snapshot; the first problem found raises SnapshotError with its path."""

    def __init__(self, world: World, snap: WorldSnapshot) -> None:
        self.w = world
        self.s = snap

    def fail(self, path: str, problem: str) -> None:
        raise SnapshotError(path, problem)

    def owner(self, at: str, pin: str, *, platform_ok: bool = False) -> None:
        if pin in self.w.accounts or (platform_ok and pin == m.PLATFORM_OWNER):
            return
        self.fail(f"{at}.ownerPin", f"unknown account {pin!r} (not in accounts)")

    def region(self, at: str, region: str, az: str | None = None, *, az_field: str = "az") -> None:
        r = self.w.regions.get(region)
        if r is None:
            self.fail(f"{at}.regionId", f"unknown region {region!r} (not in regions)")
        elif az is not None and az not in r.azs:
            self.fail(f"{at}.{az_field}", f"{az!r} is not an availability zone of {region} ({', '.join(r.azs)})")

    def same_place(self, at: str, field: str, what: str, ref_id: str, entity: Any, owner: str, region: str) -> None:
        if entity is None:
            self.fail(f"{at}.{field}", f"unknown {what} {ref_id!r}")
        elif entity.owner != owner or entity.region != region:
            self.fail(f"{at}.{field}", f"{what} {ref_id!r} belongs to {entity.owner}/{entity.region}, "
                                       f"not {owner}/{region}")

    def check(self) -> None:
        w, s = self.w, self.s
        if s.defaultAccount and s.defaultAccount not in w.accounts:
            self.fail("defaultAccount", f"unknown account {s.defaultAccount!r} (not in accounts)")
        for i, t in enumerate(s.instanceTypes):
            for j, st in enumerate(t.state):
                if not any(st.az in r.azs for r in w.regions.values()):
                    self.fail(f"instanceTypes[{i}].state[{j}].az", f"unknown availability zone {st.az!r}")
        self.images()
        self.instances()
        self.networks()
        self.disks()
        self.templates()
        for i, k in enumerate(s.keypairs):
            self.owner(f"keypairs[{i}]", k.ownerPin)
            self.region(f"keypairs[{i}]", k.regionId)
        for i, p in enumerate(s.snapshots):
            self.owner(f"snapshots[{i}]", p.ownerPin)
            self.region(f"snapshots[{i}]", p.regionId)
        for i, c in enumerate(s.clientTokens):
            self.owner(f"clientTokens[{i}]", c.ownerPin)
            self.region(f"clientTokens[{i}]", c.regionId)
        from vmrules.operations import COMPLETIONS

        for i, task in enumerate(s.tasks):
            if task.kind not in COMPLETIONS:
                self.fail(f"tasks[{i}].kind", f"no completion for task kind {task.kind!r} "
                                              f"(known: {', '.join(sorted(COMPLETIONS))})")

    def images(self) -> None:
        for i, image in enumerate(self.s.images):
            at = f"images[{i}]"
            private = image.imageSource == "private"
            self.owner(at, image.ownerPin, platform_ok=not private)
            if private and image.ownerPin == m.PLATFORM_OWNER:
                self.fail(f"{at}.ownerPin", "a private image belongs to an account, not to the platform")
            self.region(at, image.regionId)
            for j, pin in enumerate(image.sharedWith):
                if pin not in self.w.accounts:
                    self.fail(f"{at}.sharedWith[{j}]", f"unknown account {pin!r} (not in accounts)")

    def networks(self) -> None:
        w, s = self.w, self.s
        for i, v in enumerate(s.vpcs):
            self.owner(f"vpcs[{i}]", v.ownerPin)
            self.region(f"vpcs[{i}]", v.regionId)
        for i, n in enumerate(s.subnets):
            at = f"subnets[{i}]"
            self.owner(at, n.ownerPin)
            self.region(at, n.regionId, n.az)
            self.same_place(at, "vpcId", "VPC", n.vpcId, w.vpcs.get(n.vpcId), n.ownerPin, n.regionId)
        for i, g in enumerate(s.securityGroups):
            at = f"securityGroups[{i}]"
            self.owner(at, g.ownerPin)
            self.region(at, g.regionId)
            self.same_place(at, "vpcId", "VPC", g.vpcId, w.vpcs.get(g.vpcId), g.ownerPin, g.regionId)
        for i, nic in enumerate(s.networkInterfaces):
            at = f"networkInterfaces[{i}]"
            self.owner(at, nic.ownerPin)
            self.region(at, nic.regionId, nic.az)
            subnet = w.subnets.get(nic.subnetId)
            self.same_place(at, "subnetId", "subnet", nic.subnetId, subnet, nic.ownerPin, nic.regionId)
            if subnet is not None and subnet.vpc_id != nic.vpcId:
                self.fail(f"{at}.vpcId", f"{nic.vpcId!r} is not the VPC of subnet {nic.subnetId} ({subnet.vpc_id})")
            for j, sg in enumerate(nic.networkSecurityGroupIds):
                group = w.security_groups.get(sg)
                if group is None or group.vpc_id != nic.vpcId:
                    self.fail(f"{at}.networkSecurityGroupIds[{j}]",
                              f"{sg!r} is not a security group of VPC {nic.vpcId}")
            if nic.instanceId:
                inst = w.instances.get(nic.instanceId)
                if inst is None or nic.networkInterfaceId not in (inst.primary_nic_id, *inst.secondary_nic_ids):
                    self.fail(f"{at}.instanceId", f"instance {nic.instanceId!r} does not list interface "
                                                  f"{nic.networkInterfaceId}")
            eip_id = nic.primaryIp.elasticIpId
            if eip_id:
                eip = w.elastic_ips.get(eip_id)
                if eip is None or eip.nic_id != nic.networkInterfaceId:
                    self.fail(f"{at}.primaryIp.elasticIpId", f"elastic IP {eip_id!r} is not bound to interface "
                                                             f"{nic.networkInterfaceId}")
        for i, e in enumerate(s.elasticIps):
            at = f"elasticIps[{i}]"
            self.owner(at, e.ownerPin)
            self.region(at, e.regionId, e.az or None)
            if e.networkInterfaceId:
                bound = w.network_interfaces.get(e.networkInterfaceId)
                if bound is None or bound.elastic_ip_id != e.elasticIpId:
                    self.fail(f"{at}.networkInterfaceId", f"interface {e.networkInterfaceId!r} does not carry "
                                                          f"elastic IP {e.elasticIpId}")
            if e.instanceId and e.instanceId not in w.instances:
                self.fail(f"{at}.instanceId", f"unknown instance {e.instanceId!r}")

    def disks(self) -> None:
        w = self.w
        for i, d in enumerate(self.s.disks):
            at = f"disks[{i}]"
            self.owner(at, d.ownerPin)
            self.region(at, d.regionId, d.az)
            for j, a in enumerate(d.attachments):
                inst = w.instances.get(a.instanceId)
                listed = inst is not None and (
                    inst.system_disk.disk_id == d.diskId or any(x.disk_id == d.diskId for x in inst.data_disks))
                if not listed:
                    self.fail(f"{at}.attachments[{j}].instanceId",
                              f"instance {a.instanceId!r} does not list disk {d.diskId}")

    def instances(self) -> None:
        w = self.w
        for i, inst in enumerate(self.s.instances):
            at = f"instances[{i}]"
            iid = inst.instanceId
            self.owner(at, inst.ownerPin)
            self.region(at, inst.regionId, inst.az)
            if inst.instanceType not in w.instance_types:
                self.fail(f"{at}.instanceType", f"unknown instance type {inst.instanceType!r}")
            subnet = w.subnets.get(inst.subnetId)
            self.same_place(at, "subnetId", "subnet", inst.subnetId, subnet, inst.ownerPin, inst.regionId)
            if subnet is not None and subnet.vpc_id != inst.vpcId:
                self.fail(f"{at}.vpcId", f"{inst.vpcId!r} is not the VPC of subnet {inst.subnetId} "
                                         f"({subnet.vpc_id})")
            if inst.ag is not None and inst.ag.id and inst.ag.id not in w.availability_groups:
                self.fail(f"{at}.ag.id", f"unknown availability group {inst.ag.id!r}")
            nic_refs = [("primaryNetworkInterface", inst.primaryNetworkInterface)]
            nic_refs += [(f"secondaryNetworkInterfaces[{j}]", n) for j, n in enumerate(inst.secondaryNetworkInterfaces)]
            for where, ref in nic_refs:
                nic_id = ref.networkInterface.networkInterfaceId
                nic = w.network_interfaces.get(nic_id)
                if nic is None or nic.instance_id != iid:
                    self.fail(f"{at}.{where}.networkInterface.networkInterfaceId",
                              f"interface {nic_id!r} is not attached to {iid} (its instanceId must be {iid})")
            disk_refs: list[tuple[str, str]] = []
            if inst.systemDisk.cloudDisk is not None:
                disk_refs.append(("systemDisk.cloudDisk.diskId", inst.systemDisk.cloudDisk.diskId))
            disk_refs += [(f"dataDisks[{j}].cloudDisk.diskId", d.cloudDisk.diskId)
                          for j, d in enumerate(inst.dataDisks)]
            for where, disk_id in disk_refs:
                disk = w.disks.get(disk_id)
                if disk is None or not any(a.instance_id == iid for a in disk.attachments):
                    self.fail(f"{at}.{where}", f"disk {disk_id!r} does not list {iid} in its attachments")

    def templates(self) -> None:
        for i, t in enumerate(self.s.instanceTemplates):
            self.owner(f"instanceTemplates[{i}]", t.ownerPin)
            self.region(f"instanceTemplates[{i}]", t.regionId)
        for i, g in enumerate(self.s.availabilityGroups):
            at = f"availabilityGroups[{i}]"
            self.owner(at, g.ownerPin)
            self.region(at, g.regionId)
            self.same_place(at, "instanceTemplateId", "instance template", g.instanceTemplateId,
                            self.w.templates.get(g.instanceTemplateId), g.ownerPin, g.regionId)
            region = self.w.regions.get(g.regionId)
            for j, az in enumerate(g.azs):
                if region is not None and az not in region.azs:
                    self.fail(f"{at}.azs[{j}]", f"{az!r} is not an availability zone of {g.regionId}")


def world_from_dict(data: object) -> World:
    """Read a snapshot (docs/world-format.md). Raises ``SnapshotError`` naming the path of the first problem;
    nothing is built unless the whole snapshot is valid. Usage counters are recomputed."""
    if not isinstance(data, dict):
        raise SnapshotError("", f"a snapshot is a JSON object, got {type(data).__name__}")
    try:
        snap = WorldSnapshot.model_validate(data)
    except ValidationError as error:
        raise _first_error(error) from None
    return _Reader(snap).build()
