"""The entities of a world, as frozen value objects.

Internal names are snake_case and references are by id; ``vmrules.views`` renders each entity in the API's
own camelCase shape and ``vmrules.snapshot`` reads and writes whole worlds. Every field is immutable, so
entities are shared between the old and the new world after a transition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeAlias

InstanceStatus: TypeAlias = Literal[
    "pending", "starting", "running", "stopping", "stopped", "rebooting", "rebuilding", "resizing", "deleting",
    "error",
]
INSTANCE_STATUSES: tuple[str, ...] = (
    "pending", "starting", "running", "stopping", "stopped", "rebooting", "rebuilding", "resizing", "deleting",
    "error",
)
ImageStatus: TypeAlias = Literal["pending", "ready", "deleting", "error"]
IMAGE_STATUSES: tuple[str, ...] = ("pending", "ready", "deleting", "error")
DiskStatus: TypeAlias = Literal["creating", "available", "in-use", "deleting", "error_create"]
DISK_STATUSES: tuple[str, ...] = ("creating", "available", "in-use", "deleting", "error_create")
AttachmentStatus: TypeAlias = Literal["attaching", "detaching", "attached", "detached"]
ATTACHMENT_STATUSES: tuple[str, ...] = ("attaching", "detaching", "attached", "detached")
ChargeMode: TypeAlias = Literal["prepaid_by_duration", "postpaid_by_duration", "postpaid_by_usage"]
CHARGE_MODES: tuple[str, ...] = ("prepaid_by_duration", "postpaid_by_duration", "postpaid_by_usage")
ChargeStatus: TypeAlias = Literal["normal", "overdue", "arrear"]
CHARGE_STATUSES: tuple[str, ...] = ("normal", "overdue", "arrear")
DiskCategory: TypeAlias = Literal["local", "cloud"]
RootDeviceType: TypeAlias = Literal["localDisk", "cloudDisk"]
ImageSource: TypeAlias = Literal["public", "thirdparty", "private"]
OsType: TypeAlias = Literal["linux", "windows"]
OS_TYPES: tuple[str, ...] = ("linux", "windows")

# The pin that owns official and third-party images.
PLATFORM_OWNER = "jdcloud"

# The kinds of asynchronous task (``Task.kind``), declared with the model so that whatever reads or checks a
# world (the snapshot reader, the consistency checks) knows them without importing the operations; every
# operation module registers a completion for each of its kinds (tests/test_import_layers.py checks they match).
TASK_KINDS: frozenset[str] = frozenset({
    "attachDisk", "copyImage", "createImage", "createInstances", "deleteImage", "deleteInstance", "detachDisk",
    "heldForImage", "rebootInstance", "rebuildInstance", "resizeInstance", "startInstance", "stopInstance",
})

# The quotas an account gets unless told otherwise (resourceType, limit per region).
DEFAULT_QUOTAS: tuple[tuple[str, int], ...] = (
    ("instance", 50),
    ("instance_cpu", 400),
    ("instance_memory", 1600),  # GB
    ("image", 20),
    ("keypair", 20),
    ("instanceTemplate", 20),
    ("imageShare", 20),
)


@dataclass(frozen=True, slots=True)
class Charge:
    """Billing of a resource. ``expire_time`` is world-clock seconds (prepaid only)."""

    mode: ChargeMode = "postpaid_by_duration"
    status: ChargeStatus = "normal"
    start_time: int = 0
    expire_time: int | None = None

    def effective_status(self, clock: int) -> ChargeStatus:
        """A prepaid resource past its expiry is ``overdue`` even if nothing recorded it (time is a value)."""
        if self.status == "normal" and self.expire_time is not None and clock >= self.expire_time:
            return "overdue"
        return self.status


@dataclass(frozen=True, slots=True)
class Region:
    region_id: str
    azs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Account:
    pin: str
    real_name_verified: bool = True
    # resourceType -> limit per region (instance, instance_cpu, instance_memory, image, keypair,
    # instanceTemplate, imageShare).
    quotas: tuple[tuple[str, int], ...] = ()

    def quota(self, resource_type: str) -> int:
        for name, limit in self.quotas:
            if name == resource_type:
                return limit
        return 0


@dataclass(frozen=True, slots=True)
class AzStock:
    az: str
    in_stock: bool


@dataclass(frozen=True, slots=True)
class LocalDisk:
    disk_type: str
    size_gb: int


@dataclass(frozen=True, slots=True)
class Gpu:
    model: str
    number: int


@dataclass(frozen=True, slots=True)
class InstanceType:
    instance_type: str
    family: str
    generation: int
    cpu: int
    memory_mb: int
    nic_limit: int
    desc: str = ""
    state: tuple[AzStock, ...] = ()
    gpu: Gpu | None = None
    local_disks: tuple[LocalDisk, ...] = ()
    offline: bool = False

    def stock_in(self, az: str) -> bool | None:
        """True/False when the type is sold in ``az`` (in stock or sold out), None when not offered there."""
        for s in self.state:
            if s.az == az:
                return s.in_stock
        return None


@dataclass(frozen=True, slots=True)
class ImageConstraint:
    constraints_type: Literal["excludes", "includes"]
    instance_types: tuple[str, ...]

    def allows(self, instance_type: str) -> bool:
        listed = instance_type in self.instance_types
        return listed if self.constraints_type == "includes" else not listed


@dataclass(frozen=True, slots=True)
class ImageDisk:
    """One data disk captured in a whole-machine image."""

    device_name: str
    disk_type: str
    size_gb: int
    snapshot_id: str | None


@dataclass(frozen=True, slots=True)
class Image:
    image_id: str
    owner: str
    region: str
    name: str
    source: ImageSource
    platform: str
    os_type: OsType
    os_version: str
    root_device_type: RootDeviceType
    system_disk_size_gb: int
    status: ImageStatus = "ready"
    architecture: str = "x86_64"
    create_time: int = 0
    size_mb: int = 0
    desc: str = ""
    snapshot_id: str | None = None
    data_disks: tuple[ImageDisk, ...] = ()
    shared_with: tuple[str, ...] = ()
    constraint: ImageConstraint | None = None
    source_instance_id: str | None = None
    progress: str = "100%"

    @property
    def whole_machine(self) -> bool:
        """整机镜像: an image that carries data disks besides its system disk."""
        return bool(self.data_disks)


@dataclass(frozen=True, slots=True)
class DiskAttachment:
    """The disk-side record of one attachment."""

    instance_id: str
    status: AttachmentStatus
    attach_time: int = 0


@dataclass(frozen=True, slots=True)
class Disk:
    disk_id: str
    owner: str
    region: str
    az: str
    name: str
    disk_type: str
    size_gb: int
    status: DiskStatus = "available"
    description: str = ""
    attachments: tuple[DiskAttachment, ...] = ()
    snapshot_id: str | None = None
    multi_attachable: bool = False
    encrypted: bool = False
    charge: Charge = field(default_factory=Charge)
    create_time: int = 0


@dataclass(frozen=True, slots=True)
class InstanceDisk:
    """The instance-side record of an attached data disk."""

    disk_id: str
    device_name: str
    auto_delete: bool
    status: AttachmentStatus = "attached"


@dataclass(frozen=True, slots=True)
class SystemDisk:
    category: DiskCategory
    auto_delete: bool = True
    # local: the fixed local size; cloud: the disk id of the cloud system disk.
    local_size_gb: int = 40
    local_disk_type: str = "local"
    disk_id: str | None = None
    device_name: str = "vda"


@dataclass(frozen=True, slots=True)
class Instance:
    instance_id: str
    owner: str
    region: str
    az: str
    name: str
    instance_type: str
    image_id: str
    # The OS of the system the instance runs: its image's osType when it was created or last rebuilt, kept
    # when that (private) image is deleted; the OS rules read it, not the image (docs/decisions/instance-os.md).
    os_type: OsType
    status: InstanceStatus
    vpc_id: str
    subnet_id: str
    primary_nic_id: str
    system_disk: SystemDisk
    description: str = ""
    hostname: str = ""
    data_disks: tuple[InstanceDisk, ...] = ()
    secondary_nic_ids: tuple[str, ...] = ()
    key_names: tuple[str, ...] = ()
    # None: the instance has no billing information (only after an abnormal creation).
    charge: Charge | None = field(default_factory=Charge)
    ag_id: str | None = None
    fault_domain: str = ""
    launch_time: int = 0
    # sha256 digests: passwords are never stored; the pending one applies at the next reboot or start.
    password_digest: str | None = None
    pending_password_digest: str | None = None
    # Creation sequence number: the listing order of describeInstances.
    seq: int = 0


@dataclass(frozen=True, slots=True)
class NetworkInterface:
    nic_id: str
    owner: str
    region: str
    az: str
    vpc_id: str
    subnet_id: str
    private_ip: str
    role: Literal["Primary", "Secondary"]
    name: str = ""
    description: str = ""
    security_group_ids: tuple[str, ...] = ()
    mac_address: str = ""
    sanity_check: int = 1
    elastic_ip_id: str | None = None
    instance_id: str | None = None
    device_index: int = 0
    auto_delete: bool = False
    create_time: int = 0


@dataclass(frozen=True, slots=True)
class ElasticIp:
    elastic_ip_id: str
    owner: str
    region: str
    address: str
    bandwidth_mbps: int
    provider: str = "bgp"
    # "" means all-AZ (全可用区).
    az: str = ""
    nic_id: str | None = None
    instance_id: str | None = None
    private_ip: str | None = None
    charge: Charge = field(default_factory=lambda: Charge(mode="postpaid_by_usage"))
    create_time: int = 0


@dataclass(frozen=True, slots=True)
class Vpc:
    vpc_id: str
    owner: str
    region: str
    name: str
    cidr: str


@dataclass(frozen=True, slots=True)
class Subnet:
    subnet_id: str
    owner: str
    region: str
    vpc_id: str
    az: str
    name: str
    cidr: str
    # Host offset of the next address handed out (addresses are never reused: simple and deterministic).
    next_host: int = 4
    # Offsets at or past ``next_host`` already taken by explicitly chosen addresses: the allocator skips them.
    # Derived from the interfaces (``builders.reindex_subnets``), so snapshots do not store it.
    reserved: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class SecurityGroup:
    security_group_id: str
    owner: str
    region: str
    vpc_id: str
    name: str
    is_default: bool = False
    description: str = ""


@dataclass(frozen=True, slots=True)
class Keypair:
    key_name: str
    owner: str
    region: str
    fingerprint: str
    create_time: int = 0


@dataclass(frozen=True, slots=True)
class Snapshot:
    snapshot_id: str
    owner: str
    region: str
    disk_type: str
    size_gb: int
    status: Literal["creating", "available", "deleting"] = "available"
    source_disk_id: str | None = None
    image_id: str | None = None
    create_time: int = 0


@dataclass(frozen=True, slots=True)
class TemplateDisk:
    category: DiskCategory
    disk_type: str
    size_gb: int
    auto_delete: bool = True
    snapshot_id: str | None = None
    device_name: str = ""


@dataclass(frozen=True, slots=True)
class InstanceTemplate:
    template_id: str
    owner: str
    region: str
    name: str
    instance_type: str
    image_id: str
    vpc_id: str
    subnet_id: str
    security_group_ids: tuple[str, ...]
    system_disk: TemplateDisk
    description: str = ""
    data_disks: tuple[TemplateDisk, ...] = ()
    elastic_ip_bandwidth_mbps: int | None = None
    key_names: tuple[str, ...] = ()
    create_time: int = 0


@dataclass(frozen=True, slots=True)
class AvailabilityGroup:
    ag_id: str
    owner: str
    region: str
    name: str
    template_id: str
    azs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Task:
    """Asynchronous work in progress on one resource; ``settle`` completes it.

    ``kind`` names the completion (e.g. ``stopInstance``); ``ref`` is the other party when there is one
    (the disk being attached, the instance a disk is attaching to).
    """

    kind: str
    resource_id: str
    started: int
    ref: str | None = None
