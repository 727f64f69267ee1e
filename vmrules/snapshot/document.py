"""The snapshot document: its format version, its JSON Schema, and the pydantic shapes a snapshot is validated
against (one per entity, in the API's own camelCase names); ``SnapshotError`` for a malformed one."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo

from vmrules import model as m
from vmrules.clock import DEFAULT_EPOCH, iso, parse_iso

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


class TimeTexts:
    """The seconds of ISO-8601 texts, each distinct text parsed once per read: handed to validation as its
    context (``{"times": TimeTexts()}``) so that the validators and the reader share it (a snapshot's
    hundreds of thousands of times are mostly a few distinct values)."""

    __slots__ = ("seconds",)

    def __init__(self) -> None:
        self.seconds: dict[str, int | None] = {}

    def parse(self, text: str) -> int | None:
        try:
            return self.seconds[text]
        except KeyError:
            value = self.seconds[text] = parse_iso(text)
            return value


def _check_time(text: str, info: ValidationInfo) -> str:
    # Called for every time of a snapshot (hundreds of thousands): the lookup of TimeTexts.parse written out.
    context = info.context
    times = context.get("times") if isinstance(context, dict) else None
    if isinstance(times, TimeTexts):
        seconds = times.seconds.get(text)
        if seconds is None:  # not seen yet (or seen, and not a time: parse says so again)
            seconds = times.parse(text)
    else:
        seconds = parse_iso(text)
    if seconds is None:
        raise ValueError(f"{text[:40]!r} is not an ISO-8601 time such as 2026-01-01T00:00:00Z")
    return text


def _check_time_or_empty(text: str, info: ValidationInfo) -> str:
    return text if text == "" else _check_time(text, info)


IsoTime = Annotated[str, AfterValidator(_check_time), Field(json_schema_extra={"format": "date-time"})]
IsoTimeOrEmpty = Annotated[str, AfterValidator(_check_time_or_empty),
                           Field(description='an ISO-8601 time, or "" for none')]
EPOCH0 = iso(0)

T = TypeVar("T")
# Every list in a snapshot stops at its first bad entry (pydantic's fail_fast): a document with 300,000
# malformed entries is refused after the first, not after collecting 300,000 errors (only the first is shown).
Entries = Annotated[list[T], Field(fail_fast=True)]

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
    azs: Entries[str]


class Quota(_Shape):
    """describeQuotas' Quota without ``used`` (usage is derived from the entities)."""

    resourceType: str
    limit: int


class Account(_Shape):
    """model-only: an account (pin), whether it passed real-name verification, and its per-region quotas."""

    pin: str
    realNameVerified: bool = True
    quotas: Entries[Quota] = []


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
    state: Entries[InstanceTypeState] = []
    gpu: Gpu | None = None
    localDisks: Entries[LocalDisk] = []
    generation: int
    offline: bool = Field(False, description=_model_only("the type is no longer sold (下线)"))


class ImageConstraint(_Shape):
    """The vm service's ImageInstanceTypeConstraint."""

    constraintsType: Literal["excludes", "includes"]
    instanceTypes: Entries[str]


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
    dataDisks: Entries[ImageDataDisk] = []
    snapshotId: str = ""
    rootDeviceType: m.RootDeviceType
    progress: str = "100%"
    ownerPin: str = Field(description=f"the owner's pin; {m.PLATFORM_OWNER!r} for official and third-party images")
    instanceId: str = Field("", description="the instance the image was created from, or \"\"")
    regionId: RegionId
    sharedWith: Entries[str] = Field([], description=_model_only("the pins the image is shared with"))
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
    attachments: Entries[DiskAttachment] = []
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
    dataDisks: Entries[DataDiskAttachment] = []
    primaryNetworkInterface: NetworkInterfaceAttachment
    secondaryNetworkInterfaces: Entries[NetworkInterfaceAttachment] = []
    launchTime: IsoTime = EPOCH0
    az: str
    keyNames: Entries[str] = []
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
    networkSecurityGroupIds: Entries[str] = []
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
    reservedHosts: Entries[int] = Field(default_factory=list, description=_model_only(
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
    images: Entries[str] = Field([], max_length=1, description="the image it belongs to, if any (at most one)")
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
    securityGroups: Entries[str] = []
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
    dataDisks: Entries[TemplateDisk] = []
    primaryNetworkInterface: TemplateNetworkInterfaceAttachment
    elasticIp: TemplateElasticIp | None = None
    keyNames: Entries[str] = []


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
    azs: Entries[str]
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
    instanceIds: Entries[str]


class WorldSnapshot(_Shape):
    """A vmrules world (docs/world-format.md). Every collection may be omitted (empty)."""

    model_config = ConfigDict(title="vmrules world snapshot")

    formatVersion: Literal[1] = 1
    clock: IsoTime = Field(iso(DEFAULT_EPOCH), description="the world's logical clock")
    sequence: int = Field(0, description="the sequence new ids are derived from")
    defaultAccount: str = Field("", description="the pin that acts when a request names no caller")
    regions: Entries[Region] = []
    accounts: Entries[Account] = []
    instanceTypes: Entries[InstanceType] = []
    images: Entries[Image] = []
    vpcs: Entries[Vpc] = []
    subnets: Entries[Subnet] = []
    securityGroups: Entries[SecurityGroup] = []
    networkInterfaces: Entries[NetworkInterface] = []
    elasticIps: Entries[ElasticIp] = []
    disks: Entries[Disk] = []
    snapshots: Entries[Snapshot] = []
    keypairs: Entries[Keypair] = []
    instances: Entries[Instance] = []
    instanceTemplates: Entries[InstanceTemplate] = []
    availabilityGroups: Entries[AvailabilityGroup] = []
    tasks: Entries[Task] = []
    clientTokens: Entries[ClientToken] = []


def world_json_schema() -> dict[str, Any]:
    """The JSON Schema of snapshots (docs/world-schema.json)."""
    schema = WorldSnapshot.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def world_schema_text() -> str:
    """docs/world-schema.json's exact text."""
    return json.dumps(world_json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
