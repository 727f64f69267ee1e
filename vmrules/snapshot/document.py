"""The snapshot document: its format version, its JSON Schema, and the pydantic shapes a snapshot is validated
against (one per entity, in the API's own camelCase names); ``SnapshotError`` for a malformed one."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar, cast

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, GetCoreSchemaHandler, ValidationInfo
from pydantic.dataclasses import dataclass
from pydantic_core import CoreSchema

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


# ---- the format, as pydantic shapes (the snapshot a model, its entities dataclasses) --------------------


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


class _Shape(BaseModel):  # the snapshot itself (WorldSnapshot): one per read, so a model
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True,
                              field_title_generator=lambda name, _info: name)


# The entities' shapes are slotted pydantic dataclasses, not models: a 100,000-instance snapshot validates into
# millions of them, and a model instance carries a ``__dict__`` and a fields-set of its own (about three times
# the memory, and the time to fill it; docs/decisions/bulk-builds.md).
def _entity_shape(extra: Literal["forbid", "ignore"]) -> Callable[[type[T]], type[T]]:
    config = ConfigDict(strict=True, extra=extra, field_title_generator=lambda name, _info: name)

    def shape(cls: type[T]) -> type[T]:
        cls.__get_pydantic_core_schema__ = classmethod(_dict_or_instance)  # type: ignore[attr-defined]
        return cast(type[T], dataclass(frozen=True, slots=True, kw_only=True, config=config)(cls))
    return shape


def _dict_or_instance(cls: type, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
    # A strict dataclass takes only its own instances from Python; a snapshot's entries are dicts (from_dict),
    # as a strict model's are. Its fields stay strict.
    schema = handler(source)
    cast(dict[str, Any], schema)["strict"] = False
    return schema


_shape = _entity_shape("forbid")
_ref = _entity_shape("ignore")


@_shape
class Region:
    """model-only: a region and its availability zones."""

    regionId: str
    azs: Entries[str]


@_shape
class Quota:
    """describeQuotas' Quota without ``used`` (usage is derived from the entities)."""

    resourceType: str
    limit: int


@_shape
class Account:
    """model-only: an account (pin), whether it passed real-name verification, and its per-region quotas."""

    pin: str
    realNameVerified: bool = True
    quotas: Entries[Quota] = Field([])


@_shape
class Charge:
    """The API's Charge. ``chargeStatus`` is the recorded status: a prepaid resource past its
    ``chargeExpiredTime`` reads as overdue without it being recorded."""

    chargeMode: m.ChargeMode
    chargeStatus: m.ChargeStatus = "normal"
    chargeStartTime: IsoTime = EPOCH0
    chargeExpiredTime: IsoTimeOrEmpty = ""
    chargeRetireTime: Any = _derived()


@_shape
class InstanceTypeState:
    az: str
    inStock: bool


@_shape
class Gpu:
    model: str
    number: int


@_shape
class LocalDisk:
    diskType: str
    diskSizeGB: int


@_shape
class InstanceType:
    """The vm service's InstanceType, plus ``offline``."""

    family: str
    instanceType: str
    cpu: int
    memoryMB: int
    nicLimit: int
    desc: str = ""
    state: Entries[InstanceTypeState] = Field([])
    gpu: Gpu | None = None
    localDisks: Entries[LocalDisk] = Field([])
    generation: int
    offline: bool = Field(False, description=_model_only("the type is no longer sold (下线)"))


@_shape
class ImageConstraint:
    """The vm service's ImageInstanceTypeConstraint."""

    constraintsType: Literal["excludes", "includes"]
    instanceTypes: Entries[str]


@_shape
class ImageCloudDisk:
    diskType: str
    diskSizeGB: int
    snapshotId: str = ""


@_shape
class ImageDataDisk:
    """An InstanceDiskAttachment of a whole-machine image: a cloud data disk captured in the image."""

    diskCategory: Literal["cloud"] = "cloud"
    autoDelete: Any = _derived()
    cloudDisk: ImageCloudDisk
    deviceName: str
    status: Any = _derived()


@_shape
class Image:
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
    dataDisks: Entries[ImageDataDisk] = Field([])
    snapshotId: str = ""
    rootDeviceType: m.RootDeviceType
    progress: str = "100%"
    ownerPin: str = Field(description=f"the owner's pin; {m.PLATFORM_OWNER!r} for official and third-party images")
    instanceId: str = Field("", description="the instance the image was created from, or \"\"")
    regionId: RegionId
    sharedWith: Entries[str] = Field([], description=_model_only("the pins the image is shared with"))
    imageInstanceTypeConstraint: ImageConstraint | None = Field(
        None, description=_model_only("the instance types the image supports (describeImageConstraints)"))


@_shape
class DiskAttachment:
    """The disk service's DiskAttachment."""

    attachmentId: Any = _derived()
    diskId: Any = _derived()
    instanceType: Any = _derived()
    instanceId: str
    status: m.AttachmentStatus
    attachTime: IsoTime = EPOCH0


@_shape
class Disk:
    """The disk service's Disk."""

    diskId: str
    az: str
    name: str
    description: str = ""
    diskType: str
    diskSizeGB: int
    status: m.DiskStatus = "available"
    attachments: Entries[DiskAttachment] = Field([])
    snapshotId: str = ""
    multiAttachable: bool = False
    encrypted: bool = False
    enable: Any = _derived()
    createTime: IsoTime = EPOCH0
    charge: Charge | None = Field(None, description="null or absent: postpaid_by_duration, normal")
    ownerPin: OwnerPin
    regionId: RegionId


@_ref
class CloudDiskRef:
    """A reference to a disk of the ``disks`` collection."""

    diskId: str


@_shape
class SystemDiskAttachment:
    """An instance's system disk (InstanceDiskAttachment): ``localDisk`` when local, ``cloudDisk`` (a
    reference into ``disks``) when cloud."""

    diskCategory: m.DiskCategory
    autoDelete: bool = True
    localDisk: LocalDisk | None = None
    cloudDisk: CloudDiskRef | None = Field(None, description=_REF)
    deviceName: str = "vda"
    status: Any = _derived("always attached")


@_shape
class DataDiskAttachment:
    """An instance's data disk (InstanceDiskAttachment): the instance side of the attachment; the disk itself
    is in ``disks``."""

    diskCategory: Literal["cloud"] = "cloud"
    autoDelete: bool
    cloudDisk: CloudDiskRef = Field(description=_REF)
    deviceName: str
    status: m.AttachmentStatus = "attached"


@_ref
class NetworkInterfaceRef:
    """A reference to an interface of the ``networkInterfaces`` collection."""

    networkInterfaceId: str


@_shape
class NetworkInterfaceAttachment:
    """An instance's InstanceNetworkInterfaceAttachment: a reference into ``networkInterfaces``."""

    deviceIndex: Any = _derived("the interface's deviceIndex")
    autoDelete: Any = _derived("the interface's autoDelete")
    networkInterface: NetworkInterfaceRef = Field(description=_REF)


@_shape
class AgRef:
    id: str = ""
    name: Any = _derived()


@_shape
class Instance:
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
    osType: m.OsType | None = Field(
        None, description="the OS of the system the instance runs (its image's when created or rebuilt, kept when "
        "the image is deleted); absent or null (snapshots before it was recorded): the image's, which must then be in "
        "the snapshot")
    systemDisk: SystemDiskAttachment
    dataDisks: Entries[DataDiskAttachment] = Field([])
    primaryNetworkInterface: NetworkInterfaceAttachment
    secondaryNetworkInterfaces: Entries[NetworkInterfaceAttachment] = Field([])
    launchTime: IsoTime = EPOCH0
    az: str
    keyNames: Entries[str] = Field([])
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


@_shape
class PrimaryIp:
    privateIpAddress: str
    elasticIpId: str = ""
    elasticIpAddress: Any = _derived()


@_shape
class NetworkInterface:
    """The vpc service's NetworkInterface."""

    networkInterfaceName: str = ""
    networkInterfaceId: str
    az: str
    role: Literal["Primary", "Secondary"]
    macAddress: str = ""
    vpcId: str
    subnetId: str
    networkSecurityGroupIds: Entries[str] = Field([])
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


@_shape
class ElasticIp:
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


@_shape
class Vpc:
    """The vpc service's Vpc."""

    vpcId: str
    vpcName: str
    addressPrefix: str
    ownerPin: OwnerPin
    regionId: RegionId


@_shape
class Subnet:
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


@_shape
class SecurityGroup:
    """The vpc service's NetworkSecurityGroup."""

    networkSecurityGroupId: str
    networkSecurityGroupName: str
    description: str = ""
    vpcId: str
    securityGroupRules: Any = _derived()
    networkSecurityGroupType: Literal["default", "custom"] = "custom"
    ownerPin: OwnerPin
    regionId: RegionId


@_shape
class Keypair:
    """The vm service's Keypair."""

    keyName: str
    keyFingerprint: str
    createTime: IsoTime = EPOCH0
    ownerPin: OwnerPin
    regionId: RegionId


@_shape
class Snapshot:
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


@_shape
class TemplateDiskBody:
    diskType: str
    diskSizeGB: int
    snapshotId: str = ""


@_shape
class TemplateDisk:
    """The vm service's InstanceTemplateDiskAttachment."""

    diskCategory: m.DiskCategory
    autoDelete: bool = True
    instanceTemplateDisk: TemplateDiskBody
    deviceName: str = ""
    noDevice: Any = _derived()


@_shape
class TemplateNetworkInterface:
    subnetId: str
    securityGroups: Entries[str] = Field([])
    sanityCheck: Any = _derived()


@_shape
class TemplateNetworkInterfaceAttachment:
    deviceIndex: Any = _derived("always 1")
    autoDelete: Any = _derived("always true")
    networkInterface: TemplateNetworkInterface


@_shape
class TemplateElasticIp:
    bandwidthMbps: int
    provider: Any = _derived()
    chargeMode: Any = _derived()


@_shape
class InstanceTemplateData:
    instanceType: str
    vpcId: str
    imageId: str
    includePassword: Any = _derived()
    systemDisk: TemplateDisk
    dataDisks: Entries[TemplateDisk] = Field([])
    primaryNetworkInterface: TemplateNetworkInterfaceAttachment
    elasticIp: TemplateElasticIp | None = None
    keyNames: Entries[str] = Field([])


@_shape
class InstanceTemplate:
    """The vm service's InstanceTemplate."""

    id: str
    name: str
    description: str = ""
    instanceTemplateData: InstanceTemplateData
    ags: Any = _derived("from availabilityGroups")
    createdTime: IsoTime = EPOCH0
    ownerPin: OwnerPin
    regionId: RegionId


@_shape
class AvailabilityGroup:
    """The ag service's AvailabilityGroup."""

    id: str
    name: str
    instanceTemplateId: str
    azs: Entries[str]
    ownerPin: OwnerPin
    regionId: RegionId


@_shape
class Task:
    """model-only: asynchronous work in progress on a resource; ``settle`` completes it."""

    kind: str = Field(description="the operation whose completion finishes it, e.g. stopInstance")
    resourceId: str
    started: IsoTime
    ref: str | None = Field(None, description="the other party, when there is one")


@_shape
class ClientToken:
    """model-only: the instances a createInstances call with this clientToken created (idempotency)."""

    ownerPin: str
    regionId: str
    clientToken: str
    instanceIds: Entries[str]


class WorldSnapshot(_Shape):
    """A vmrules world (docs/world-format.md). Every collection may be omitted (empty)."""

    model_config = ConfigDict(title="vmrules world snapshot")

    # an integer that is 1: Literal[1] would take true and 1.0, which equal 1 in Python
    formatVersion: Annotated[int, Field(ge=1, le=1, json_schema_extra={"const": 1})] = 1
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
