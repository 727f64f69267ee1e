"""createInstances: the seed's limits, the effective ``Plan`` (the request merged with its launch template or
availability group), the context every rule sees, and the counting helpers rules and the transition share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

from pydantic import BaseModel

from vmrules.builders import free_addresses
from vmrules.model import Account, AvailabilityGroup, Image, InstanceTemplate, InstanceType, Subnet
from vmrules.operation import Ctx
from vmrules.operations.create.request import (
    SPEC,
    ChargeSpec,
    CreateInstancesRequest,
    DiskAttachmentSpec,
    InstanceSpec,
    NetworkInterfaceSpec,
)
from vmrules.usage import instance_usage
from vmrules.world import World

# ---- the effective plan -----------------------------------------------------------------------------

Mode = Literal["normal", "template", "ag"]
DISK_TYPES = ("ssd", "premium-hdd")
MAX_COUNT = 100
CLIENT_TOKEN_MAX = 64
LOCAL_SYSTEM_DISK_GB = 40
CLOUD_SYSTEM_DISK_MIN, CLOUD_SYSTEM_DISK_MAX = 40, 500
DATA_DISK_LIMITS = {"ssd": (20, 1000), "premium-hdd": (20, 3000)}
DATA_DISK_STEP = 10
EIP_BANDWIDTH_MIN, EIP_BANDWIDTH_MAX = 1, 100
EIP_PROVIDERS = ("bgp", "no_bgp")
SECURITY_GROUPS_MAX = 5
MONTH, YEAR = 30 * 86400, 365 * 86400


# Plan and DiskPlan are named tuples, not frozen dataclasses: every check and execute builds them, and a frozen
# dataclass's __init__ sets each of Plan's 19 fields through object.__setattr__ (several times the cost).
class DiskPlan(NamedTuple):
    """One data disk the instances would get. ``path`` is where it came from (a request entry, the template,
    the image) and is the field errors about it name."""

    path: str
    origin: Literal["request", "template", "image"]
    category: str | None
    disk_type: str | None
    size_gb: int | None
    snapshot_id: str | None
    auto_delete: bool | None
    device_name: str | None
    multi_attachable: bool = False
    encrypted: bool = False


class Plan(NamedTuple):
    """The effective specification after merging the request with its template or availability group."""

    mode: Mode
    azs: tuple[str, ...]
    instance_type: str | None
    image_id: str | None
    subnet_id: str | None
    security_groups: tuple[str, ...] | None
    system_category: str | None
    system_type: str | None
    system_size: int | None
    system_auto_delete: bool | None
    data_disks: tuple[DiskPlan, ...]
    eip_bandwidth: int | None
    eip_provider: str | None
    eip_charge: ChargeSpec | None
    has_eip: bool
    key_names: tuple[str, ...]
    primary_ip: str | None


@dataclass(slots=True)
class CreateCtx(Ctx[CreateInstancesRequest]):
    replay: tuple[str, ...] | None
    account: Account | None
    template: InstanceTemplate | None
    ag: AvailabilityGroup | None
    plan: Plan
    itype: InstanceType | None
    image: Image | None
    subnet: Subnet | None
    spec: InstanceSpec  # req.instanceSpec, which most rules read (a field: cheaper than a property)
    region: str  # req.regionId, a field here too: Ctx.region is a property, and rules ask for it often
    # fits() per quota the instance type counts against, computed once per request (quota_fits): the three
    # quota rules and the transition's count all ask
    fits_by_quota: dict[str, int] | None = None


def nic_spec(spec: InstanceSpec) -> NetworkInterfaceSpec | None:
    pni = spec.primaryNetworkInterface
    return pni.networkInterface if pni is not None else None


def _template_disk_plans(template: InstanceTemplate) -> list[DiskPlan]:
    return [DiskPlan(f"{SPEC}.instanceTemplateId", "template", d.category, d.disk_type, d.size_gb, d.snapshot_id,
                     d.auto_delete, d.device_name or None) for d in template.data_disks]


def _request_disk_plan(i: int, d: DiskAttachmentSpec) -> DiskPlan:
    cds = d.cloudDiskSpec
    category = "cloud" if d.diskCategory is None else d.diskCategory  # "" is given, and no category
    if cds is None:
        return DiskPlan(f"{SPEC}.dataDisks.{i}", "request", category, None, None, None, d.autoDelete,
                        d.deviceName, False)
    return DiskPlan(f"{SPEC}.dataDisks.{i}", "request", category, cds.diskType, cds.diskSizeGB,
                    cds.snapshotId, d.autoDelete, d.deviceName, bool(cds.multiAttachable), cds.encrypt is True)


def _merge_disks(base: list[DiskPlan], requested: list[DiskAttachmentSpec] | None) -> tuple[DiskPlan, ...]:
    """Image and template disks, then the request's: a same-named request disk replaces, ``noDevice`` drops."""
    disks = list(base)
    for i, d in enumerate(requested or []):
        if d.noDevice:
            disks = [p for p in disks if p.device_name is None or p.device_name != d.deviceName]
            continue
        plan = _request_disk_plan(i, d)
        if d.deviceName is not None and any(p.device_name == d.deviceName for p in disks if p.origin != "request"):
            disks = [plan if (p.device_name == d.deviceName and p.origin != "request") else p for p in disks]
        else:
            disks.append(plan)
    return tuple(disks)


def _plan(world: World, caller: str, region: str, spec: InstanceSpec, template: InstanceTemplate | None,
          ag: AvailabilityGroup | None) -> tuple[Plan, Image | None]:
    """The effective plan, and the image it names (looked up once: the context keeps it)."""
    mode: Mode = "ag" if spec.agId is not None else "template" if spec.instanceTemplateId is not None else "normal"
    nic = nic_spec(spec)
    source = template if mode != "normal" else None
    use_request = mode != "ag"  # an availability group's template cannot be overridden
    instance_type = spec.instanceType if use_request and spec.instanceType is not None else (
        source.instance_type if source else None)
    image_id = spec.imageId if use_request and spec.imageId is not None else (source.image_id if source else None)
    subnet_id = nic.subnetId if use_request and nic is not None and nic.subnetId is not None else (
        source.subnet_id if source else None)
    sgs: tuple[str, ...] | None
    if use_request and nic is not None and nic.securityGroups:
        sgs = tuple(nic.securityGroups)
    else:
        sgs = source.security_group_ids if source and source.security_group_ids else None
    sd = spec.systemDisk if use_request else None
    if sd is not None:
        cds = sd.cloudDiskSpec
        system = (sd.diskCategory, cds.diskType if cds else None, cds.diskSizeGB if cds else None,
                  sd.autoDelete)
    elif source is not None:
        t = source.system_disk
        system = (t.category, t.disk_type if t.category == "cloud" else None,
                  t.size_gb if t.category == "cloud" else None, t.auto_delete if t.category == "cloud" else None)
    else:
        system = (None, None, None, None)
    image = world.image(caller, region, image_id) if image_id else None
    base: list[DiskPlan] = []
    if image is not None and image.data_disks:
        base = [DiskPlan(f"{SPEC}.imageId", "image", "cloud", d.disk_type, d.size_gb, d.snapshot_id, None,
                         d.device_name) for d in image.data_disks]
    if source is not None and (mode == "ag" or spec.imageId is None or spec.imageId == source.image_id):
        from_template = _template_disk_plans(source)
        names = {p.device_name for p in from_template}
        base = [p for p in base if p.device_name not in names] + from_template
    data_disks = _merge_disks(base, spec.dataDisks if use_request else None)
    eip = spec.elasticIp if use_request else None
    eip_fields: tuple[int | None, str | None, ChargeSpec | None, bool]
    if eip is not None:
        eip_fields = (eip.bandwidthMbps, eip.provider, eip.chargeSpec, True)
    elif source is not None and source.elastic_ip_bandwidth_mbps is not None:
        eip_fields = (source.elastic_ip_bandwidth_mbps, None, None, True)
    else:
        eip_fields = (None, None, None, False)
    keys = tuple(spec.keyNames) if use_request and spec.keyNames else (source.key_names if source else ())
    if mode == "ag":
        if spec.az is not None:
            azs: tuple[str, ...] = (spec.az,)
        elif ag is not None:
            itype = world.instance_type(instance_type) if instance_type else None
            stocked = tuple(a for a in ag.azs if itype is None or itype.stock_in(a))
            azs = stocked or ag.azs
        else:
            azs = ()
    else:
        azs = (spec.az,) if spec.az is not None else ()
    return Plan(mode, azs, instance_type, image_id, subnet_id, sgs, system[0], system[1], system[2],
                system[3], data_disks, eip_fields[0], eip_fields[1], eip_fields[2], eip_fields[3], keys,
                nic.primaryIpAddress if nic is not None else None), image


def create_context(world: World, caller: str, req: CreateInstancesRequest) -> CreateCtx:
    region = req.regionId
    spec = req.instanceSpec
    replay = None
    if req.clientToken:  # an empty token is no token (CREATE_INSTANCES.CLIENT_TOKEN_REPLAY)
        replay = world.client_tokens.get((caller, region, req.clientToken))
    ag = world.availability_group(caller, region, spec.agId) if spec.agId is not None else None
    template: InstanceTemplate | None = None
    if spec.agId is not None:
        template = world.template(caller, region, ag.template_id) if ag is not None else None
    elif spec.instanceTemplateId is not None:
        template = world.template(caller, region, spec.instanceTemplateId)
    plan, image = _plan(world, caller, region, spec, template, ag)
    itype = world.instance_type(plan.instance_type) if plan.instance_type else None
    subnet = world.subnet(caller, region, plan.subnet_id) if plan.subnet_id else None
    return CreateCtx(world, caller, req, replay, world.account(caller), template, ag, plan, itype, image, subnet,
                     spec, region)


# ---- rule helpers -----------------------------------------------------------------------------------


def is_replay(ctx: CreateCtx) -> bool:
    """A clientToken seen before: the first call's outcome stands and no rule is evaluated again."""
    return ctx.replay is not None


def count_requested(ctx: CreateCtx) -> int:
    return 1 if ctx.req.maxCount is None else ctx.req.maxCount


def fits(ctx: CreateCtx, resource_type: str, each: int) -> int:
    """How many more instances the quota ``resource_type`` admits (a large number when ``each`` is 0)."""
    if each <= 0:
        return MAX_COUNT
    limit = ctx.account.quota(resource_type) if ctx.account is not None else 0
    return max(0, (limit - ctx.world.used(ctx.caller, ctx.region, resource_type)) // each)


def quota_fits(ctx: CreateCtx) -> dict[str, int]:
    """``fits`` for each quota one instance of the plan's type counts against (instance_usage), once per
    request."""
    found = ctx.fits_by_quota
    if found is None:
        found = ctx.fits_by_quota = {}
        for resource_type, each in instance_usage(ctx.itype):
            found[resource_type] = fits(ctx, resource_type, each)
    return found


def instance_count(ctx: CreateCtx) -> int:
    """Best effort: maxCount, cut down to what the quotas and the subnet's free addresses allow."""
    n = 1 if ctx.plan.primary_ip is not None else count_requested(ctx)
    if ctx.itype is not None:
        n = min(n, *quota_fits(ctx).values())
    if ctx.subnet is not None and ctx.plan.primary_ip is None:
        n = min(n, free_addresses(ctx.subnet))
    return n


def prepaid(ctx: CreateCtx) -> bool:
    charge = ctx.spec.charge
    return charge is not None and charge.chargeMode == "prepaid_by_duration"


def given_fields(model: BaseModel) -> list[str]:
    return [name for name in type(model).model_fields if getattr(model, name) is not None]
