"""createInstances: one or more instances of one specification, in three modes (fact sheet §3.6 and §4).

* normal — every value comes from ``instanceSpec``;
* launch template (``instanceTemplateId``) — the template's values, each overridable by ``instanceSpec``;
* availability group (``agId``) — the group's template, not overridable; the instances are spread over the
  group's AZs.

The context first resolves the mode into one effective ``Plan`` (what would be created), and every rule looks
at the plan, so that a value taken from a template is checked exactly like one given in the request. A
``clientToken`` seen before from the same account and region is a replay: it is decided before any rule, every
rule but the token's own holds, and ``apply`` returns the first call's ``instanceIds`` without creating anything.

``maxCount`` is best effort: as many instances are created as the instance, CPU and memory quotas and the
subnet's free addresses allow (QUOTA_EXCEEDED only when not even one fits). See docs/decisions/create-instances.md.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, replace
from operator import attrgetter
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from vmrules.builders import DataDiskPlan, add_elastic_ip, add_instance, bind_elastic_ip
from vmrules.defaults import SQL_SERVER_IMAGE_NAME
from vmrules.ids import password_digest
from vmrules.model import (
    Account,
    AvailabilityGroup,
    Charge,
    ChargeMode,
    Image,
    InstanceTemplate,
    InstanceType,
    Subnet,
    Task,
)
from vmrules.operation import Ctx, Operation, Request
from vmrules.operations.common import Completion, exists_rule, image_ready_rule, region_exists
from vmrules.operations.params import (
    ORDERED_MAX,
    description_rule,
    expand_ordered,
    hostname_rule,
    name_rule,
    ordered_token,
    password_rule,
    windows_hostname_rule,
)
from vmrules.rules import (
    Finding,
    Findings,
    Phase,
    Rule,
    api_2018,
    guide,
    inferred,
    rule,
    sdk_doc,
    seed,
)
from vmrules.world import World

JSON = dict[str, Any]
SPEC = "instanceSpec"
NIC = "instanceSpec.primaryNetworkInterface.networkInterface"

# ---- request model ----------------------------------------------------------------------------------


class Spec(BaseModel):
    """Base of the nested request shapes: the same strict, camelCase, extras-ignored parsing as ``Request``."""

    model_config = ConfigDict(strict=True, frozen=True, extra="ignore", from_attributes=True)


class ChargeSpec(Spec):
    chargeMode: str | None = None
    chargeUnit: str | None = None
    chargeDuration: int | None = None


class ElasticIpSpec(Spec):
    bandwidthMbps: int
    provider: str | None = None
    chargeSpec: ChargeSpec | None = None


class NetworkInterfaceSpec(Spec):
    subnetId: str | None = None
    az: str | None = None
    networkInterfaceName: str | None = None
    primaryIpAddress: str | None = None
    securityGroups: list[str] | None = None
    sanityCheck: int | None = None
    description: str | None = None


class NetworkInterfaceAttachmentSpec(Spec):
    deviceIndex: int | None = None
    autoDelete: bool | None = None
    networkInterface: NetworkInterfaceSpec | None = None


class DiskSpec(Spec):
    az: str | None = None
    name: str | None = None
    description: str | None = None
    diskType: str | None = None
    diskSizeGB: int | None = None
    snapshotId: str | None = None
    charge: ChargeSpec | None = None
    multiAttachable: bool | None = None
    encrypt: bool | None = None


class DiskAttachmentSpec(Spec):
    diskCategory: str | None = None
    autoDelete: bool | None = None
    cloudDiskSpec: DiskSpec | None = None
    deviceName: str | None = None
    noDevice: bool | None = None


class InstanceSpec(Spec):
    name: str
    agId: str | None = None
    instanceTemplateId: str | None = None
    az: str | None = None
    instanceType: str | None = None
    imageId: str | None = None
    hostname: str | None = None
    password: str | None = None
    keyNames: list[str] | None = None
    elasticIp: ElasticIpSpec | None = None
    primaryNetworkInterface: NetworkInterfaceAttachmentSpec | None = None
    systemDisk: DiskAttachmentSpec | None = None
    dataDisks: list[DiskAttachmentSpec] | None = None
    charge: ChargeSpec | None = None
    description: str | None = None


class CreateInstancesRequest(Request):
    instanceSpec: InstanceSpec
    maxCount: int | None = None
    clientToken: str | None = None


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
WINDOWS_CPU_MAX = 64
SQL_SERVER_MEMORY_MB_MIN = 1024  # must be more than this
MONTH, YEAR = 30 * 86400, 365 * 86400
_DEVICE_NAME = re.compile(r"vd[b-z]")


@dataclass(frozen=True, slots=True)
class DiskPlan:
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


@dataclass(frozen=True, slots=True)
class Plan:
    """The effective specification after merging the request with its template or availability group."""

    mode: Mode
    azs: tuple[str, ...]
    instance_type: str | None
    image_id: str | None
    subnet_id: str | None
    security_groups: tuple[str, ...] | None
    system_disk_given: bool
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

    @property
    def spec(self) -> InstanceSpec:
        return self.req.instanceSpec


def _nic(spec: InstanceSpec) -> NetworkInterfaceSpec | None:
    pni = spec.primaryNetworkInterface
    return pni.networkInterface if pni is not None else None


def _template_disk_plans(template: InstanceTemplate) -> list[DiskPlan]:
    return [DiskPlan(f"{SPEC}.instanceTemplateId", "template", d.category, d.disk_type, d.size_gb, d.snapshot_id,
                     d.auto_delete, d.device_name or None) for d in template.data_disks]


def _request_disk_plan(i: int, d: DiskAttachmentSpec) -> DiskPlan:
    cds = d.cloudDiskSpec
    return DiskPlan(f"{SPEC}.dataDisks.{i}", "request", d.diskCategory or "cloud",
                    cds.diskType if cds else None, cds.diskSizeGB if cds else None, cds.snapshotId if cds else None,
                    d.autoDelete, d.deviceName, bool(cds.multiAttachable) if cds else False)


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
          ag: AvailabilityGroup | None) -> Plan:
    mode: Mode = "ag" if spec.agId is not None else "template" if spec.instanceTemplateId is not None else "normal"
    nic = _nic(spec)
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
        system = (True, sd.diskCategory, cds.diskType if cds else None, cds.diskSizeGB if cds else None,
                  sd.autoDelete)
    elif source is not None:
        t = source.system_disk
        system = (True, t.category, t.disk_type if t.category == "cloud" else None,
                  t.size_gb if t.category == "cloud" else None, t.auto_delete if t.category == "cloud" else None)
    else:
        system = (False, None, None, None, None)
    image = world.image(caller, region, image_id) if image_id else None
    base: list[DiskPlan] = []
    if image is not None:
        base = [DiskPlan(f"{SPEC}.imageId", "image", "cloud", d.disk_type, d.size_gb, d.snapshot_id, None,
                         d.device_name) for d in image.data_disks]
    if source is not None and (mode == "ag" or spec.imageId is None or spec.imageId == source.image_id):
        names = {p.device_name for p in _template_disk_plans(source)}
        base = [p for p in base if p.device_name not in names] + _template_disk_plans(source)
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
    return Plan(mode, azs, instance_type, image_id, subnet_id, sgs, system[0], system[1], system[2], system[3],
                system[4], data_disks, eip_fields[0], eip_fields[1], eip_fields[2], eip_fields[3], keys,
                nic.primaryIpAddress if nic is not None else None)


def create_context(world: World, caller: str, req: CreateInstancesRequest) -> CreateCtx:
    region = req.regionId
    spec = req.instanceSpec
    replay = None
    if req.clientToken is not None:
        replay = world.client_tokens.get((caller, region, req.clientToken))
    ag = world.availability_group(caller, region, spec.agId) if spec.agId is not None else None
    template: InstanceTemplate | None = None
    if spec.agId is not None:
        template = world.template(caller, region, ag.template_id) if ag is not None else None
    elif spec.instanceTemplateId is not None:
        template = world.template(caller, region, spec.instanceTemplateId)
    plan = _plan(world, caller, region, spec, template, ag)
    itype = world.instance_type(plan.instance_type) if plan.instance_type else None
    image = world.image(caller, region, plan.image_id) if plan.image_id else None
    subnet = world.subnet(caller, region, plan.subnet_id) if plan.subnet_id else None
    return CreateCtx(world, caller, req, replay, world.account(caller), template, ag, plan, itype, image, subnet)


# ---- rule helpers -----------------------------------------------------------------------------------


def _is_replay(ctx: CreateCtx) -> bool:
    """A clientToken seen before: the first call's outcome stands and no rule is evaluated again."""
    return ctx.replay is not None


def _count_requested(ctx: CreateCtx) -> int:
    return 1 if ctx.req.maxCount is None else ctx.req.maxCount


def _per_instance(itype: InstanceType) -> tuple[tuple[str, int], ...]:
    return (("instance", 1), ("instance_cpu", itype.cpu), ("instance_memory", itype.memory_mb // 1024))


def _fits(ctx: CreateCtx, resource_type: str, each: int) -> int:
    """How many more instances the quota ``resource_type`` admits (a large number when ``each`` is 0)."""
    if each <= 0:
        return MAX_COUNT
    limit = ctx.account.quota(resource_type) if ctx.account is not None else 0
    room = limit - ctx.world.used(ctx.caller, ctx.region, resource_type)
    return max(0, room // each)


def _free_addresses(subnet: Subnet) -> int:
    # The prefix length alone sizes the subnet (no ipaddress parsing: this runs on every check).
    last = (1 << (32 - int(subnet.cidr.rsplit("/", 1)[1]))) - 2  # the broadcast address is never handed out
    return max(0, last - subnet.next_host + 1 - sum(1 for r in subnet.reserved if r <= last))


def _count(ctx: CreateCtx) -> int:
    """Best effort: maxCount, cut down to what the quotas and the subnet's free addresses allow."""
    n = 1 if ctx.plan.primary_ip is not None else _count_requested(ctx)
    if ctx.itype is not None:
        for resource_type, each in _per_instance(ctx.itype):
            n = min(n, _fits(ctx, resource_type, each))
    if ctx.subnet is not None and ctx.plan.primary_ip is None:
        n = min(n, _free_addresses(ctx.subnet))
    return n


def _prepaid(ctx: CreateCtx) -> bool:
    charge = ctx.spec.charge
    return charge is not None and charge.chargeMode == "prepaid_by_duration"


def _given_fields(model: BaseModel) -> list[str]:
    return [name for name in type(model).model_fields if getattr(model, name) is not None]


# ---- mode and required fields -----------------------------------------------------------------------


@rule(
    "CREATE_INSTANCES.NORMAL_REQUIRED",
    phase=Phase.PARAMETERS,
    statement="Without agId or instanceTemplateId, az, imageId, instanceType, systemDisk with its diskCategory "
    "(and cloudDiskSpec.diskType for a cloud system disk) are required.",
    source=guide("参数详细说明 (Create_Vm_Sample.md): required parameters of the normal mode"),
    field=SPEC,
)
def normal_required(ctx: CreateCtx) -> Findings:
    spec = ctx.spec
    if ctx.plan.mode != "normal":
        return None
    missing = [f for f in ("az", "imageId", "instanceType", "systemDisk") if getattr(spec, f) is None]
    sd = spec.systemDisk
    if sd is not None and sd.diskCategory is None:
        missing.append("systemDisk.diskCategory")
    cds = sd.cloudDiskSpec if sd is not None else None
    if sd is not None and sd.diskCategory == "cloud" and (cds is None or cds.diskType is None):
        missing.append("systemDisk.cloudDiskSpec.diskType")
    return [Finding(f"{SPEC}.{f} is required when neither agId nor instanceTemplateId is given", f"{SPEC}.{f}")
            for f in missing]


@rule(
    "CREATE_INSTANCES.TEMPLATE_REQUIRED",
    phase=Phase.PARAMETERS,
    statement="With instanceTemplateId (and no agId), az is required.",
    source=guide("参数详细说明 (Create_Vm_Sample.md): the launch-template mode requires name, az, instanceTemplateId"),
    field=f"{SPEC}.az",
)
def template_required(ctx: CreateCtx) -> Findings:
    if ctx.plan.mode != "template" or ctx.spec.az is not None:
        return None
    return Finding(f"{SPEC}.az is required when creating from a launch template")


_AG_ALLOWED = frozenset({"name", "agId", "instanceTemplateId", "az", "description", "charge", "hostname", "password",
                         "primaryNetworkInterface"})


@rule(
    "CREATE_INSTANCES.AG_NO_OVERRIDE",
    phase=Phase.PARAMETERS,
    statement="With agId, the availability group's template values cannot be overridden: only name, az, "
    "description, charge, hostname, password and the primary IP address may be given.",
    source=sdk_doc("InstanceSpec.agId: 实例模板中的参数不可覆盖替换; guide: Ag mode takes name, agId, maxCount, "
                   "charge, description, primaryIpAddress, clientToken"),
    field=SPEC,
)
def ag_no_override(ctx: CreateCtx) -> Findings:
    spec = ctx.spec
    if spec.agId is None:
        return None
    given = [f"{SPEC}.{f}" for f in _given_fields(spec) if f not in _AG_ALLOWED]
    pni = spec.primaryNetworkInterface
    if pni is not None:
        given += [f"{SPEC}.primaryNetworkInterface.{f}" for f in _given_fields(pni) if f != "networkInterface"]
        if pni.networkInterface is not None:
            given += [f"{NIC}.{f}" for f in _given_fields(pni.networkInterface) if f != "primaryIpAddress"]
    return [Finding(f"{f} cannot be given with agId: the availability group's template decides it", f)
            for f in given]


template_exists: Rule[CreateCtx] = exists_rule(
    "CREATE_INSTANCES.TEMPLATE_EXISTS", "instance template", f"{SPEC}.instanceTemplateId",
    resolved=attrgetter("template"),
    requested=lambda ctx: ctx.spec.instanceTemplateId if ctx.plan.mode == "template" else None,
    statement="The launch template exists in the region and belongs to the caller.",
    source=seed("3.使用启动模板"), region_checked=False,
)


@rule(
    "CREATE_INSTANCES.AG_EXISTS",
    phase=Phase.EXISTENCE,
    statement="The availability group (and its launch template) exists in the region and belongs to the caller.",
    source=seed("2.使用高可用组"),
    field=f"{SPEC}.agId",
)
def ag_exists(ctx: CreateCtx) -> Findings:
    ag_id = ctx.spec.agId
    if ag_id is None:
        return None
    if ctx.ag is None:
        return Finding(f"availability group {ag_id!r} not found in region {ctx.region}")
    if ctx.template is None:
        return Finding(f"availability group {ag_id}'s instance template {ctx.ag.template_id!r} not found")
    return None


@rule(
    "CREATE_INSTANCES.AG_AZ",
    phase=Phase.COMPATIBILITY,
    statement="With agId, a given az must be one of the availability group's AZs.",
    source=sdk_doc("InstanceSpec.az: with agId the instances use the availability group's AZs"),
    field=f"{SPEC}.az",
)
def ag_az(ctx: CreateCtx) -> Findings:
    az = ctx.spec.az
    if ctx.ag is None or az is None or az in ctx.ag.azs:
        return None
    return Finding(f"az {az!r} is not an AZ of availability group {ctx.ag.ag_id} ({', '.join(ctx.ag.azs)})")


# ---- count, token, names, password ------------------------------------------------------------------


@rule(
    "CREATE_INSTANCES.MAX_COUNT",
    phase=Phase.PARAMETERS,
    statement="maxCount is between 1 and 100 (default 1).",
    source=api_2018("createInstances maxCount: 取值范围[1,100]，默认为1"),
    field="maxCount",
)
def max_count(ctx: CreateCtx) -> Findings:
    n = ctx.req.maxCount
    if n is None or 1 <= n <= MAX_COUNT:
        return None
    return Finding(f"maxCount is {n}; allowed 1 to {MAX_COUNT}")


@rule(
    "CREATE_INSTANCES.CLIENT_TOKEN_LENGTH",
    phase=Phase.PARAMETERS,
    statement="clientToken has at most 64 characters.",
    source=api_2018("createInstances clientToken: 最长不超过64个字符，用于保证请求的幂等性"),
    field="clientToken",
)
def client_token_length(ctx: CreateCtx) -> Findings:
    token = ctx.req.clientToken
    if token is None or len(token) <= CLIENT_TOKEN_MAX:
        return None
    return Finding(f"clientToken has {len(token)} characters; allowed at most {CLIENT_TOKEN_MAX}")


def _name(req: CreateInstancesRequest) -> str | None:
    return req.instanceSpec.name


def _hostname(req: CreateInstancesRequest) -> str | None:
    return req.instanceSpec.hostname


def _image_os(ctx: CreateCtx) -> str | None:
    return ctx.image.os_type if ctx.image is not None else None


name = name_rule("CREATE_INSTANCES.NAME", _name, f"{SPEC}.name",
                        guide("公共参数规范 (General_Parameters.md): name, with ordered [start] tokens (SDK)"),
                        ordered=True)
hostname = hostname_rule("CREATE_INSTANCES.HOSTNAME", _hostname, f"{SPEC}.hostname",
                                sdk_doc("InstanceSpec.hostname: Linux 2-64 characters, RFC 952/1123"), ordered=True)
windows_hostname = windows_hostname_rule(
    "CREATE_INSTANCES.WINDOWS_HOSTNAME", _hostname, f"{SPEC}.hostname",
    sdk_doc("InstanceSpec.hostname: Windows 2-15 characters, no '.', not all digits"), _image_os, ordered=True)
description = description_rule("CREATE_INSTANCES.DESCRIPTION", lambda r: r.instanceSpec.description,
                                      f"{SPEC}.description", guide("公共参数规范: description ≤ 256 characters"))
password = password_rule("CREATE_INSTANCES.PASSWORD", lambda r: r.instanceSpec.password,
                                f"{SPEC}.password", seed("参考公共参数规范"))


@rule(
    "CREATE_INSTANCES.ORDERED_NAME_RANGE",
    phase=Phase.PARAMETERS,
    statement="The counter of an ordered name or hostname ([start]) stays within 0..9999 for maxCount instances.",
    source=sdk_doc("InstanceSpec.name: start_number 范围 [0,9999]"),
    field=f"{SPEC}.name",
)
def ordered_name_range(ctx: CreateCtx) -> Findings:
    found = []
    for field, value in (("name", ctx.spec.name), ("hostname", ctx.spec.hostname)):
        token = ordered_token(value) if value is not None else None
        if token is None:
            continue
        last = token.start + _count_requested(ctx) - 1
        if last > ORDERED_MAX:
            found.append(Finding(f"{SPEC}.{field} counter would reach {last} for maxCount "
                                 f"{_count_requested(ctx)}; it must stay at most {ORDERED_MAX}", f"{SPEC}.{field}"))
    return found


# ---- account, AZ, instance type ---------------------------------------------------------------------


@rule(
    "CREATE_INSTANCES.REAL_NAME",
    phase=Phase.STATE,
    statement="The account must have passed real-name verification.",
    source=seed("创建云主机需要通过实名认证"),
)
def real_name(ctx: CreateCtx) -> Findings:
    if ctx.account is None or ctx.account.real_name_verified:
        return None
    return Finding(f"account {ctx.caller} has not passed real-name verification (实名认证)")


@rule(
    "CREATE_INSTANCES.AZ_EXISTS",
    phase=Phase.PARAMETERS,
    statement="az is an availability zone of the region.",
    source=inferred("an instance is placed in one AZ of the request's region"),
    field=f"{SPEC}.az",
)
def az_exists(ctx: CreateCtx) -> Findings:
    region = ctx.world.regions.get(ctx.region)
    az = ctx.spec.az
    if region is None or az is None or az in region.azs:
        return None
    return Finding(f"az {az!r} is not an AZ of region {ctx.region} ({', '.join(region.azs)})")


@rule(
    "CREATE_INSTANCES.TYPE_EXISTS",
    phase=Phase.EXISTENCE,
    statement="instanceType names an instance type.",
    source=seed("可查询<a href=\"https://www.jdcloud.com/help/detail/2901/isCatalog/1\">DescribeInstanceTypes</a>"
                "接口获得指定地域或可用区的规格信息"),
    field=f"{SPEC}.instanceType",
)
def type_exists(ctx: CreateCtx) -> Findings:
    name_ = ctx.plan.instance_type
    if name_ is None or ctx.itype is not None:
        return None
    return Finding(f"instance type {name_!r} not found; see describeInstanceTypes")


@rule(
    "CREATE_INSTANCES.TYPE_OFFLINE",
    phase=Phase.STATE,
    statement="The instance type must not be offline.",
    source=seed("不能使用已下线、或已售馨的规格ID"),
    field=f"{SPEC}.instanceType",
)
def type_offline(ctx: CreateCtx) -> Findings:
    if ctx.itype is None or not ctx.itype.offline:
        return None
    return Finding(f"instance type {ctx.itype.instance_type} is offline (已下线)")


@rule(
    "CREATE_INSTANCES.TYPE_SOLD_OUT",
    phase=Phase.STATE,
    statement="The instance type must be in stock in the instances' AZ.",
    source=seed("不能使用已下线、或已售馨的规格ID"),
    field=f"{SPEC}.instanceType",
)
def type_sold_out(ctx: CreateCtx) -> Findings:
    if ctx.itype is None:
        return None
    region = ctx.world.regions.get(ctx.region)
    azs = [a for a in ctx.plan.azs if region is not None and a in region.azs]
    out = [a for a in azs if not ctx.itype.stock_in(a)]
    if not out:
        return None
    return Finding(f"instance type {ctx.itype.instance_type} is sold out (已售罄) in {', '.join(out)}")


# ---- image ------------------------------------------------------------------------------------------


image_exists: Rule[CreateCtx] = exists_rule(
    "CREATE_INSTANCES.IMAGE_EXISTS", "image", f"{SPEC}.imageId", resolved=attrgetter("image"),
    requested=attrgetter("plan.image_id"),
    statement="imageId names an image the caller can use in the region (official, third-party, its own private "
    "or shared with it).",
    source=seed("可查询<a href=\"https://www.jdcloud.com/help/detail/2874/isCatalog/1\">DescribeImages</a>"
                "接口获得指定地域的镜像信息"),
    region_checked=False,
)


image_ready: Rule[CreateCtx] = image_ready_rule(
    "CREATE_INSTANCES.IMAGE_READY", f"{SPEC}.imageId", "used", resolved=attrgetter("image"),
    statement="The image must be ready.", source=seed("需要等待镜像状态变为<b>ready</b>后，才能正常使用镜像"),
)


@rule(
    "CREATE_INSTANCES.IMAGE_SUPPORTS_TYPE",
    phase=Phase.COMPATIBILITY,
    statement="The image must support the instance type (its constraints; private images have none).",
    source=seed("选择的镜像必须支持选择的实例规格。"),
    field=f"{SPEC}.instanceType",
)
def image_supports_type(ctx: CreateCtx) -> Findings:
    image, itype = ctx.image, ctx.itype
    if image is None or itype is None or image.source == "private" or image.constraint is None:
        return None
    if image.constraint.allows(itype.instance_type):
        return None
    return Finding(f"image {image.image_id} does not support instance type {itype.instance_type}; see "
                   "describeImageConstraints")


@rule(
    "CREATE_INSTANCES.WINDOWS_CPU",
    phase=Phase.COMPATIBILITY,
    statement="A Windows Server image allows at most 64 CPUs.",
    source=seed("Windows Server所有镜像CPU不可选超过64核CPU。"),
    field=f"{SPEC}.instanceType",
)
def windows_cpu(ctx: CreateCtx) -> Findings:
    image, itype = ctx.image, ctx.itype
    if image is None or itype is None or image.os_type != "windows" or itype.cpu <= WINDOWS_CPU_MAX:
        return None
    return Finding(f"instance type {itype.instance_type} has {itype.cpu} CPUs; Windows Server image "
                   f"{image.image_id} allows at most {WINDOWS_CPU_MAX}")


@rule(
    "CREATE_INSTANCES.SQL_SERVER_MEMORY",
    phase=Phase.COMPATIBILITY,
    statement="The Windows Server 2012 R2 + SQL Server 2014 Standard SP2 image needs more than 1 GB of memory.",
    source=seed("Windows Server 2012 R2标准版 64位 中文版 SQL Server 2014 标准版 SP2内存需大于1GB"),
    field=f"{SPEC}.instanceType",
)
def sql_server_memory(ctx: CreateCtx) -> Findings:
    image, itype = ctx.image, ctx.itype
    if image is None or itype is None or image.name != SQL_SERVER_IMAGE_NAME:
        return None
    if itype.memory_mb > SQL_SERVER_MEMORY_MB_MIN:
        return None
    return Finding(f"instance type {itype.instance_type} has {itype.memory_mb} MB of memory; image "
                   f"{image.image_id} (SQL Server) needs more than 1 GB")


# ---- network ----------------------------------------------------------------------------------------


@rule(
    "CREATE_INSTANCES.SUBNET_REQUIRED",
    phase=Phase.PARAMETERS,
    statement="The primary network interface's subnetId is required (given, or from the template).",
    source=seed("必须指定subnetId"),
    field=f"{NIC}.subnetId",
)
def subnet_required(ctx: CreateCtx) -> Findings:
    if ctx.plan.subnet_id is not None or (ctx.plan.mode != "normal" and ctx.template is None):
        return None
    return Finding(f"{NIC}.subnetId is required")


subnet_exists: Rule[CreateCtx] = exists_rule(
    "CREATE_INSTANCES.SUBNET_EXISTS", "subnet", f"{NIC}.subnetId", resolved=attrgetter("subnet"),
    requested=attrgetter("plan.subnet_id"), source=inferred("a subnet of another account or region is not found"),
    region_checked=False,
)


@rule(
    "CREATE_INSTANCES.SUBNET_ADDRESSES",
    phase=Phase.STATE,
    statement="The subnet has a free private address for at least one instance.",
    source=inferred("each instance's primary interface takes one address of the subnet"),
    field=f"{NIC}.subnetId",
)
def subnet_addresses(ctx: CreateCtx) -> Findings:
    if ctx.subnet is None or ctx.plan.primary_ip is not None or _free_addresses(ctx.subnet) > 0:
        return None
    return Finding(f"subnet {ctx.subnet.subnet_id} ({ctx.subnet.cidr}) has no free address left")


@rule(
    "CREATE_INSTANCES.PRIMARY_IP_SINGLE",
    phase=Phase.PARAMETERS,
    statement="With primaryIpAddress, maxCount must be 1.",
    source=seed("可以指定主网卡的内网主IP(primaryIpAddress)，此时maxCount只能为1"),
    field="maxCount",
)
def primary_ip_single(ctx: CreateCtx) -> Findings:
    if ctx.plan.primary_ip is None or _count_requested(ctx) == 1:
        return None
    return Finding(f"maxCount is {_count_requested(ctx)}; with {NIC}.primaryIpAddress it must be 1")


def _parse_ip(text: str) -> ipaddress.IPv4Address | None:
    try:
        return ipaddress.IPv4Address(text)
    except ValueError:
        return None


@rule(
    "CREATE_INSTANCES.PRIMARY_IP_FORMAT",
    phase=Phase.PARAMETERS,
    statement="primaryIpAddress is an IPv4 address.",
    source=inferred("a private address in dotted-quad form"),
    field=f"{NIC}.primaryIpAddress",
)
def primary_ip_format(ctx: CreateCtx) -> Findings:
    ip = ctx.plan.primary_ip
    if ip is None or _parse_ip(ip) is not None:
        return None
    return Finding(f"{NIC}.primaryIpAddress {ip[:64]!r} is not an IPv4 address")


@rule(
    "CREATE_INSTANCES.PRIMARY_IP_IN_SUBNET",
    phase=Phase.COMPATIBILITY,
    statement="primaryIpAddress is a host address inside the subnet's CIDR (not its network or broadcast "
    "address, nor the reserved gateway addresses).",
    source=inferred("the primary address is taken from the subnet (the first addresses are reserved)"),
    field=f"{NIC}.primaryIpAddress",
)
def primary_ip_in_subnet(ctx: CreateCtx) -> Findings:
    ip = _parse_ip(ctx.plan.primary_ip) if ctx.plan.primary_ip is not None else None
    if ip is None or ctx.subnet is None:
        return None
    network = ipaddress.ip_network(ctx.subnet.cidr, strict=False)
    offset = int(ip) - int(network.network_address)
    if ip in network and 2 <= offset <= network.num_addresses - 2:
        return None
    return Finding(f"{NIC}.primaryIpAddress {ip} is not a usable address of subnet {ctx.subnet.subnet_id} "
                   f"({ctx.subnet.cidr})")


@rule(
    "CREATE_INSTANCES.PRIMARY_IP_FREE",
    phase=Phase.STATE,
    statement="primaryIpAddress is not in use by another network interface of the subnet.",
    source=inferred("one private address belongs to one interface"),
    field=f"{NIC}.primaryIpAddress",
)
def primary_ip_free(ctx: CreateCtx) -> Findings:
    ip = _parse_ip(ctx.plan.primary_ip) if ctx.plan.primary_ip is not None else None
    subnet = ctx.subnet
    if ip is None or subnet is None:
        return None
    network = ipaddress.ip_network(subnet.cidr, strict=False)
    if ip not in network:
        return None
    for nic in ctx.world.network_interfaces.values():
        if nic.subnet_id == subnet.subnet_id and nic.private_ip == str(ip):
            return Finding(f"{NIC}.primaryIpAddress {ip} is already used by network interface {nic.nic_id}")
    return None


@rule(
    "CREATE_INSTANCES.SECURITY_GROUP_COUNT",
    phase=Phase.PARAMETERS,
    statement="At most 5 distinct security groups (none: the VPC's default security group).",
    source=seed("一台云主机创建时必须指定一个安全组，至多指定5个安全组，如果没有指定安全组，默认使用默认安全组"),
    field=f"{NIC}.securityGroups",
)
def security_group_count(ctx: CreateCtx) -> Findings:
    sgs = ctx.plan.security_groups
    if sgs is None:
        return None
    found = []
    if len(sgs) > SECURITY_GROUPS_MAX:
        found.append(Finding(f"{NIC}.securityGroups has {len(sgs)} groups; allowed 1 to {SECURITY_GROUPS_MAX}"))
    dups = sorted({s for s in sgs if sgs.count(s) > 1})
    if dups:
        found.append(Finding(f"{NIC}.securityGroups lists {', '.join(dups)} more than once"))
    return found


@rule(
    "CREATE_INSTANCES.SECURITY_GROUPS_EXIST",
    phase=Phase.EXISTENCE,
    statement="Every security group exists in the region and belongs to the caller.",
    source=inferred("a security group of another account or region is not found"),
    field=f"{NIC}.securityGroups",
)
def security_groups_exist(ctx: CreateCtx) -> Findings:
    sgs = ctx.plan.security_groups or ()
    return [Finding(f"security group {sg!r} not found in region {ctx.region}", f"{NIC}.securityGroups.{i}")
            for i, sg in enumerate(sgs) if ctx.world.security_group(ctx.caller, ctx.region, sg) is None]


@rule(
    "CREATE_INSTANCES.DEFAULT_SECURITY_GROUP",
    phase=Phase.EXISTENCE,
    statement="When no security group is given, the subnet's VPC has a default security group.",
    source=seed("如果没有指定安全组，默认使用默认安全组"),
    field=f"{NIC}.securityGroups",
)
def default_security_group(ctx: CreateCtx) -> Findings:
    if ctx.plan.security_groups is not None or ctx.subnet is None:
        return None
    if ctx.world.default_security_group(ctx.subnet.vpc_id) is not None:
        return None
    return Finding(f"no security group given and VPC {ctx.subnet.vpc_id} has no default security group")


@rule(
    "CREATE_INSTANCES.SECURITY_GROUP_VPC",
    phase=Phase.COMPATIBILITY,
    statement="Every security group is in the subnet's VPC.",
    source=seed("安全组securityGroup需与子网Subnet在同一个私有网络VPC内"),
    field=f"{NIC}.securityGroups",
)
def security_group_vpc(ctx: CreateCtx) -> Findings:
    if ctx.subnet is None:
        return None
    found = []
    for i, sg_id in enumerate(ctx.plan.security_groups or ()):
        sg = ctx.world.security_group(ctx.caller, ctx.region, sg_id)
        if sg is not None and sg.vpc_id != ctx.subnet.vpc_id:
            found.append(Finding(f"security group {sg_id} is in VPC {sg.vpc_id}, but subnet "
                                 f"{ctx.subnet.subnet_id} is in VPC {ctx.subnet.vpc_id}", f"{NIC}.securityGroups.{i}"))
    return found


@rule(
    "CREATE_INSTANCES.DEVICE_INDEX",
    phase=Phase.PARAMETERS,
    statement="The primary network interface's deviceIndex is 1.",
    source=seed("主网卡deviceIndex设置为1"),
    field=f"{SPEC}.primaryNetworkInterface.deviceIndex",
)
def device_index(ctx: CreateCtx) -> Findings:
    pni = ctx.spec.primaryNetworkInterface
    if pni is None or pni.deviceIndex is None or pni.deviceIndex == 1:
        return None
    return Finding(f"{SPEC}.primaryNetworkInterface.deviceIndex is {pni.deviceIndex}; the primary interface is 1")


@rule(
    "CREATE_INSTANCES.NIC_AUTO_DELETE",
    phase=Phase.PARAMETERS,
    statement="The primary network interface is deleted with the instance: autoDelete cannot be false.",
    source=api_2018("InstanceNetworkInterfaceAttachmentSpec.autoDelete: 主网卡默认且只能为true"),
    field=f"{SPEC}.primaryNetworkInterface.autoDelete",
)
def nic_auto_delete(ctx: CreateCtx) -> Findings:
    pni = ctx.spec.primaryNetworkInterface
    if pni is None or pni.autoDelete is not False:
        return None
    return Finding(f"{SPEC}.primaryNetworkInterface.autoDelete is false; the primary interface always goes "
                   "with its instance")


@rule(
    "CREATE_INSTANCES.SANITY_CHECK",
    phase=Phase.PARAMETERS,
    statement="sanityCheck (source/destination check) is 0 or 1.",
    source=sdk_doc("NetworkInterfaceSpec.sanityCheck: 0 or 1, default 1"),
    field=f"{NIC}.sanityCheck",
)
def sanity_check(ctx: CreateCtx) -> Findings:
    nic = _nic(ctx.spec)
    if nic is None or nic.sanityCheck is None or nic.sanityCheck in (0, 1):
        return None
    return Finding(f"{NIC}.sanityCheck is {nic.sanityCheck}; allowed 0 or 1")


def _nic_name(req: CreateInstancesRequest) -> str | None:
    nic = _nic(req.instanceSpec)
    return nic.networkInterfaceName if nic is not None else None


def _nic_description(req: CreateInstancesRequest) -> str | None:
    nic = _nic(req.instanceSpec)
    return nic.description if nic is not None else None


nic_name = name_rule("CREATE_INSTANCES.NIC_NAME", _nic_name, f"{NIC}.networkInterfaceName",
                            sdk_doc("NetworkInterfaceSpec.networkInterfaceName: ≤ 32 characters, Chinese, letters, "
                                    "digits, '_' and '-'"))
nic_description = description_rule("CREATE_INSTANCES.NIC_DESCRIPTION", _nic_description, f"{NIC}.description",
                                          sdk_doc("NetworkInterfaceSpec.description: ≤ 256 characters"))


@rule(
    "CREATE_INSTANCES.EIP_BANDWIDTH",
    phase=Phase.PARAMETERS,
    statement="The elastic IP's bandwidth is 1 to 100 Mbps in steps of 1.",
    source=seed("带宽取值范围[1\\-100]Mbps，步进1Mbps"),
    field=f"{SPEC}.elasticIp.bandwidthMbps",
)
def eip_bandwidth(ctx: CreateCtx) -> Findings:
    bw = ctx.plan.eip_bandwidth
    if bw is None or EIP_BANDWIDTH_MIN <= bw <= EIP_BANDWIDTH_MAX:
        return None
    return Finding(f"{SPEC}.elasticIp.bandwidthMbps is {bw}; allowed {EIP_BANDWIDTH_MIN} to {EIP_BANDWIDTH_MAX}")


@rule(
    "CREATE_INSTANCES.EIP_PROVIDER",
    phase=Phase.PARAMETERS,
    statement="The elastic IP's provider is bgp or no_bgp (default bgp).",
    source=api_2018("ElasticIpSpec.provider: bgp or no_bgp; guide: default BGP"),
    field=f"{SPEC}.elasticIp.provider",
)
def eip_provider(ctx: CreateCtx) -> Findings:
    provider = ctx.plan.eip_provider
    if provider is None or provider in EIP_PROVIDERS:
        return None
    return Finding(f"{SPEC}.elasticIp.provider is {provider[:32]!r}; allowed {' or '.join(EIP_PROVIDERS)}")


# ---- billing ----------------------------------------------------------------------------------------

_CHARGE_MODES: tuple[ChargeMode, ...] = ("prepaid_by_duration", "postpaid_by_duration", "postpaid_by_usage")


@rule(
    "CREATE_INSTANCES.CHARGE_MODE",
    phase=Phase.PARAMETERS,
    statement="The instance is billed prepaid_by_duration or postpaid_by_duration (default), never by usage.",
    source=api_2018("InstanceSpec.charge: 云主机不支持按用量方式计费，默认为按配置计费"),
    field=f"{SPEC}.charge.chargeMode",
)
def charge_mode(ctx: CreateCtx) -> Findings:
    charge = ctx.spec.charge
    mode = charge.chargeMode if charge is not None else None
    if mode is None or mode in ("prepaid_by_duration", "postpaid_by_duration"):
        return None
    if mode == "postpaid_by_usage":
        return Finding(f"{SPEC}.charge.chargeMode is postpaid_by_usage; an instance cannot be billed by usage")
    return Finding(f"{SPEC}.charge.chargeMode is {mode[:32]!r}; allowed prepaid_by_duration or postpaid_by_duration")


@rule(
    "CREATE_INSTANCES.CHARGE_DURATION",
    phase=Phase.PARAMETERS,
    statement="Prepaid billing: chargeUnit is month (default) or year; chargeDuration is 1..9 months or 1..3 years.",
    source=api_2018("ChargeSpec: chargeUnit month|year, default month; chargeDuration month 1-9, year 1-3"),
    field=f"{SPEC}.charge",
)
def charge_duration(ctx: CreateCtx) -> Findings:
    charge = ctx.spec.charge
    if charge is None or charge.chargeMode != "prepaid_by_duration":
        return None
    unit = charge.chargeUnit or "month"
    if unit not in ("month", "year"):
        return Finding(f"{SPEC}.charge.chargeUnit is {unit[:32]!r}; allowed month or year", f"{SPEC}.charge.chargeUnit")
    duration = 1 if charge.chargeDuration is None else charge.chargeDuration
    top = 9 if unit == "month" else 3
    if 1 <= duration <= top:
        return None
    return Finding(f"{SPEC}.charge.chargeDuration is {duration}; a {unit}ly prepaid instance takes 1 to {top}",
                   f"{SPEC}.charge.chargeDuration")


@rule(
    "CREATE_INSTANCES.EIP_CHARGE_MODE",
    phase=Phase.PARAMETERS,
    statement="The elastic IP's chargeMode is one of the billing modes; only postpaid_by_usage is set apart from "
    "the instance, any other follows the instance's billing.",
    source=seed("弹性IP的计费模式，如果选择按用量类型可以单独设置，其它计费模式都以主机为准"),
    field=f"{SPEC}.elasticIp.chargeSpec.chargeMode",
)
def eip_charge_mode(ctx: CreateCtx) -> Findings:
    spec = ctx.plan.eip_charge
    mode = spec.chargeMode if spec is not None else None
    if mode is None or mode in _CHARGE_MODES:
        return None
    return Finding(f"{SPEC}.elasticIp.chargeSpec.chargeMode is {mode[:32]!r}; allowed {', '.join(_CHARGE_MODES)}")


# ---- system disk ------------------------------------------------------------------------------------

SD = f"{SPEC}.systemDisk"


@rule(
    "CREATE_INSTANCES.SYSTEM_DISK_CATEGORY",
    phase=Phase.PARAMETERS,
    statement="The system disk's diskCategory is local or cloud.",
    source=seed("磁盘分类，系统盘支持local或cloud"),
    field=f"{SD}.diskCategory",
)
def system_disk_category(ctx: CreateCtx) -> Findings:
    cat = ctx.plan.system_category
    if cat is None or cat in ("local", "cloud"):
        return None
    return Finding(f"{SD}.diskCategory is {cat[:32]!r}; allowed local or cloud")


@rule(
    "CREATE_INSTANCES.LOCAL_SYSTEM_DISK_SIZE",
    phase=Phase.PARAMETERS,
    statement="A local system disk is always 40 GB: its size cannot be given.",
    source=seed("local：不能指定大小，默认为40GB"),
    field=f"{SD}.cloudDiskSpec.diskSizeGB",
)
def local_system_disk_size(ctx: CreateCtx) -> Findings:
    if ctx.plan.system_category != "local" or ctx.plan.system_size is None:
        return None
    return Finding(f"{SD}.cloudDiskSpec.diskSizeGB is {ctx.plan.system_size}; a local system disk is always "
                   f"{LOCAL_SYSTEM_DISK_GB} GB and its size cannot be given")


@rule(
    "CREATE_INSTANCES.LOCAL_SYSTEM_DISK_AUTO_DELETE",
    phase=Phase.PARAMETERS,
    statement="A local system disk is always deleted with the instance: autoDelete cannot be false.",
    source=seed("如果是local，默认自动删除，不能修改此属性"),
    field=f"{SD}.autoDelete",
)
def local_system_disk_auto_delete(ctx: CreateCtx) -> Findings:
    if ctx.plan.system_category != "local" or ctx.plan.system_auto_delete is not False:
        return None
    return Finding(f"{SD}.autoDelete is false; a local system disk is always deleted with its instance")


@rule(
    "CREATE_INSTANCES.SYSTEM_DISK_TYPE",
    phase=Phase.PARAMETERS,
    statement="A cloud system disk's diskType is ssd or premium-hdd.",
    source=inferred("the seed's cloud disk types (ssd, premium-hdd) apply to the system disk too"),
    field=f"{SD}.cloudDiskSpec.diskType",
)
def system_disk_type(ctx: CreateCtx) -> Findings:
    t = ctx.plan.system_type
    if ctx.plan.system_category != "cloud" or t is None or t in DISK_TYPES:
        return None
    return Finding(f"{SD}.cloudDiskSpec.diskType is {t[:32]!r}; allowed {' or '.join(DISK_TYPES)}")


@rule(
    "CREATE_INSTANCES.CLOUD_SYSTEM_DISK_SIZE",
    phase=Phase.PARAMETERS,
    statement="A cloud system disk is 40 to 500 GB.",
    source=seed("cloud：取值范围: 40\\-500GB"),
    field=f"{SD}.cloudDiskSpec.diskSizeGB",
)
def cloud_system_disk_size(ctx: CreateCtx) -> Findings:
    size = ctx.plan.system_size
    if ctx.plan.system_category != "cloud" or size is None:
        return None
    if CLOUD_SYSTEM_DISK_MIN <= size <= CLOUD_SYSTEM_DISK_MAX:
        return None
    return Finding(f"{SD}.cloudDiskSpec.diskSizeGB is {size}; a cloud system disk takes "
                   f"{CLOUD_SYSTEM_DISK_MIN} to {CLOUD_SYSTEM_DISK_MAX} GB")


@rule(
    "CREATE_INSTANCES.CLOUD_SYSTEM_DISK_AUTO_DELETE",
    phase=Phase.PARAMETERS,
    statement="Only a cloud system disk billed by configuration can be deleted with the instance: a prepaid "
    "instance's cloud system disk cannot have autoDelete true.",
    source=seed("如果是cloud类型的按配置计费的云硬盘，可以指定为True"),
    field=f"{SD}.autoDelete",
)
def cloud_system_disk_auto_delete(ctx: CreateCtx) -> Findings:
    if ctx.plan.system_category != "cloud" or ctx.plan.system_auto_delete is not True or not _prepaid(ctx):
        return None
    if ctx.spec.systemDisk is None or ctx.spec.systemDisk.autoDelete is not True:
        return None  # a template's default autoDelete yields to prepaid billing
    return Finding(f"{SD}.autoDelete is true; only a cloud system disk billed by configuration can be deleted "
                   "with its instance, this one is prepaid")


@rule(
    "CREATE_INSTANCES.SYSTEM_DISK_MATCHES_IMAGE",
    phase=Phase.COMPATIBILITY,
    statement="The system disk's category matches the image's rootDeviceType (localDisk: local, cloudDisk: cloud).",
    source=api_2018("InstanceSpec.systemDisk: must match the image's rootDeviceType (Create_Vm_Sample.md)"),
    field=f"{SD}.diskCategory",
)
def system_disk_matches_image(ctx: CreateCtx) -> Findings:
    image, cat = ctx.image, ctx.plan.system_category
    if image is None or cat not in ("local", "cloud"):
        return None
    wanted = "local" if image.root_device_type == "localDisk" else "cloud"
    if cat == wanted:
        return None
    return Finding(f"{SD}.diskCategory is {cat}; image {image.image_id} has rootDeviceType "
                   f"{image.root_device_type}, which needs a {wanted} system disk")


@rule(
    "CREATE_INSTANCES.SYSTEM_DISK_IMAGE_SIZE",
    phase=Phase.COMPATIBILITY,
    statement="A cloud system disk is not smaller than the image's system disk.",
    source=seed("并且不能小于镜像的最小系统盘大小"),
    field=f"{SD}.cloudDiskSpec.diskSizeGB",
)
def system_disk_image_size(ctx: CreateCtx) -> Findings:
    image, size = ctx.image, ctx.plan.system_size
    if image is None or size is None or ctx.plan.system_category != "cloud" or size >= image.system_disk_size_gb:
        return None
    return Finding(f"{SD}.cloudDiskSpec.diskSizeGB is {size}; image {image.image_id} needs at least "
                   f"{image.system_disk_size_gb} GB")


# ---- data disks -------------------------------------------------------------------------------------


def _disks(ctx: CreateCtx) -> tuple[DiskPlan, ...]:
    return ctx.plan.data_disks


@rule(
    "CREATE_INSTANCES.DATA_DISK_CATEGORY",
    phase=Phase.PARAMETERS,
    statement="Data disks are cloud disks.",
    source=seed("磁盘分类，数据盘仅支持cloud"),
    field=f"{SPEC}.dataDisks",
)
def data_disk_category(ctx: CreateCtx) -> Findings:
    return [Finding(f"{d.path}.diskCategory is {str(d.category)[:32]!r}; a data disk must be cloud",
                    f"{d.path}.diskCategory") for d in _disks(ctx) if d.category != "cloud"]


@rule(
    "CREATE_INSTANCES.DATA_DISK_SPEC_REQUIRED",
    phase=Phase.PARAMETERS,
    statement="A new data disk needs cloudDiskSpec with diskType, and diskSizeGB unless it comes from a snapshot.",
    source=api_2018("DiskSpec: diskType and diskSizeGB are required"),
    field=f"{SPEC}.dataDisks",
)
def data_disk_spec_required(ctx: CreateCtx) -> Findings:
    found = []
    for d in _disks(ctx):
        if d.category != "cloud":
            continue
        if d.disk_type is None:
            found.append(Finding(f"{d.path}.cloudDiskSpec.diskType is required", f"{d.path}.cloudDiskSpec.diskType"))
        if d.size_gb is None and d.snapshot_id is None:
            found.append(Finding(f"{d.path}.cloudDiskSpec.diskSizeGB is required unless snapshotId is given",
                                 f"{d.path}.cloudDiskSpec.diskSizeGB"))
    return found


@rule(
    "CREATE_INSTANCES.DATA_DISK_TYPE",
    phase=Phase.PARAMETERS,
    statement="A data disk's diskType is ssd or premium-hdd.",
    source=seed("云硬盘类型可以选择ssd、premium\\-hdd"),
    field=f"{SPEC}.dataDisks",
)
def data_disk_type(ctx: CreateCtx) -> Findings:
    return [Finding(f"{d.path}.cloudDiskSpec.diskType is {d.disk_type[:32]!r}; allowed {' or '.join(DISK_TYPES)}",
                    f"{d.path}.cloudDiskSpec.diskType")
            for d in _disks(ctx) if d.category == "cloud" and d.disk_type is not None and d.disk_type not in DISK_TYPES]


def _size_rule(rule_id: str, disk_type: str, quote: str) -> Rule[CreateCtx]:
    low, high = DATA_DISK_LIMITS[disk_type]

    def check(ctx: CreateCtx) -> Findings:
        found = []
        for d in _disks(ctx):
            if d.category != "cloud" or d.disk_type != disk_type or d.size_gb is None:
                continue
            if low <= d.size_gb <= high and d.size_gb % DATA_DISK_STEP == 0:
                continue
            path = f"{d.path}.cloudDiskSpec.diskSizeGB"
            found.append(Finding(f"{path} is {d.size_gb}; a {disk_type} data disk takes {low} to {high} GB in "
                                 f"steps of {DATA_DISK_STEP}", path))
        return found

    return Rule(rule_id, Phase.PARAMETERS,
                       f"A {disk_type} data disk is {low} to {high} GB in steps of {DATA_DISK_STEP}.",
                       seed(quote), f"{SPEC}.dataDisks", check)


data_disk_size_ssd = _size_rule("CREATE_INSTANCES.DATA_DISK_SIZE_SSD", "ssd", "ssd：范围[20,1000]GB，步长为10G")
data_disk_size_hdd = _size_rule("CREATE_INSTANCES.DATA_DISK_SIZE_HDD", "premium-hdd",
                                "premium\\-hdd：范围[20,3000]GB，步长为10G")


@rule(
    "CREATE_INSTANCES.DATA_DISK_DEVICE_NAME",
    phase=Phase.PARAMETERS,
    statement="A data disk's deviceName is vdb..vdz and names one disk only; noDevice needs a deviceName.",
    source=api_2018("InstanceDiskAttachmentSpec.deviceName: vda is the system disk; data disks vdb and up"),
    field=f"{SPEC}.dataDisks",
)
def data_disk_device_name(ctx: CreateCtx) -> Findings:
    found = []
    seen: set[str] = set()
    for i, d in enumerate(ctx.spec.dataDisks or []):
        path = f"{SPEC}.dataDisks.{i}.deviceName"
        if d.deviceName is None:
            if d.noDevice:
                found.append(Finding(f"{SPEC}.dataDisks.{i}.noDevice needs a deviceName to drop", path))
            continue
        if not _DEVICE_NAME.fullmatch(d.deviceName):
            found.append(Finding(f"{path} is {d.deviceName[:32]!r}; allowed vdb to vdz", path))
        elif d.deviceName in seen:
            found.append(Finding(f"{path} {d.deviceName} is given to more than one data disk", path))
        seen.add(d.deviceName)
    return found


def _count_rule(rule_id: str, category: str, limit: int, quote: str) -> Rule[CreateCtx]:
    def check(ctx: CreateCtx) -> Findings:
        n = len(_disks(ctx))
        if ctx.plan.system_category != category or n <= limit:
            return None
        return Finding(f"{SPEC}.dataDisks has {n} disks; an instance with a {category} system disk can have at "
                       f"most {limit}")

    return Rule(rule_id, Phase.PARAMETERS,
                       f"An instance with a {category} system disk has at most {limit} data disks.",
                       seed(quote), f"{SPEC}.dataDisks", check)


data_disk_count_local = _count_rule("CREATE_INSTANCES.DATA_DISK_COUNT_LOCAL", "local", 8,
                                    "local类型系统的云主机可以挂载8块云硬盘")
data_disk_count_cloud = _count_rule("CREATE_INSTANCES.DATA_DISK_COUNT_CLOUD", "cloud", 7,
                                    "cloud类型系统的云主机可以挂载7块云硬盘")


@rule(
    "CREATE_INSTANCES.DATA_DISK_SNAPSHOT_EXISTS",
    phase=Phase.EXISTENCE,
    statement="A data disk's snapshotId names a snapshot of the caller in the region.",
    source=seed("可以指定SnapshotId创建云硬盘"),
    field=f"{SPEC}.dataDisks",
)
def data_disk_snapshot_exists(ctx: CreateCtx) -> Findings:
    return [Finding(f"snapshot {d.snapshot_id!r} not found in region {ctx.region}",
                    f"{d.path}.cloudDiskSpec.snapshotId")
            for d in _disks(ctx) if d.origin != "image" and d.snapshot_id is not None
            and ctx.world.snapshot(ctx.caller, ctx.region, d.snapshot_id) is None]


@rule(
    "CREATE_INSTANCES.DATA_DISK_SNAPSHOT_SIZE",
    phase=Phase.COMPATIBILITY,
    statement="A data disk made from a snapshot is not smaller than the snapshot.",
    source=seed("可以从快照创建磁盘"),
    field=f"{SPEC}.dataDisks",
)
def data_disk_snapshot_size(ctx: CreateCtx) -> Findings:
    found = []
    for d in _disks(ctx):
        if d.snapshot_id is None or d.size_gb is None or d.origin == "image":
            continue
        snap = ctx.world.snapshot(ctx.caller, ctx.region, d.snapshot_id)
        if snap is not None and d.size_gb < snap.size_gb:
            found.append(Finding(f"{d.path}.cloudDiskSpec.diskSizeGB is {d.size_gb}; snapshot {snap.snapshot_id} "
                                 f"needs at least {snap.size_gb} GB", f"{d.path}.cloudDiskSpec.diskSizeGB"))
    return found


# ---- keys -------------------------------------------------------------------------------------------


@rule(
    "CREATE_INSTANCES.KEY_COUNT",
    phase=Phase.PARAMETERS,
    statement="At most one keypair can be given.",
    source=sdk_doc("InstanceSpec.keyNames: 当前仅支持输入单个密钥"),
    field=f"{SPEC}.keyNames",
)
def key_count(ctx: CreateCtx) -> Findings:
    n = len(ctx.plan.key_names)
    if n <= 1:
        return None
    return Finding(f"{SPEC}.keyNames has {n} keys; only one is supported")


@rule(
    "CREATE_INSTANCES.KEYS_EXIST",
    phase=Phase.EXISTENCE,
    statement="Every keypair exists in the region and belongs to the caller.",
    source=inferred("a keypair of another account or region is not found"),
    field=f"{SPEC}.keyNames",
)
def keys_exist(ctx: CreateCtx) -> Findings:
    return [Finding(f"keypair {k!r} not found in region {ctx.region}", f"{SPEC}.keyNames.{i}")
            for i, k in enumerate(ctx.plan.key_names) if ctx.world.keypair(ctx.caller, ctx.region, k) is None]


@rule(
    "CREATE_INSTANCES.KEY_LINUX_ONLY",
    phase=Phase.COMPATIBILITY,
    statement="Only an instance with a Linux image can have a keypair.",
    source=seed("仅Linux系统云主机可以指定密钥"),
    field=f"{SPEC}.keyNames",
)
def key_linux_only(ctx: CreateCtx) -> Findings:
    if not ctx.plan.key_names or ctx.image is None or ctx.image.os_type == "linux":
        return None
    return Finding(f"{SPEC}.keyNames is given, but image {ctx.image.image_id} is {ctx.image.os_type}; only Linux "
                   "instances can have a keypair")


# ---- quotas -----------------------------------------------------------------------------------------


def _quota_rule(rule_id: str, resource_type: str, what: str) -> Rule[CreateCtx]:
    def check(ctx: CreateCtx) -> Findings:
        if ctx.itype is None or ctx.account is None:
            return None
        each = dict(_per_instance(ctx.itype))[resource_type]
        if _fits(ctx, resource_type, each) >= 1:
            return None
        limit = ctx.account.quota(resource_type)
        used = ctx.world.used(ctx.caller, ctx.region, resource_type)
        return Finding(f"{resource_type} quota exceeded: {used} of {limit} used in {ctx.region}; one "
                       f"{ctx.itype.instance_type} instance needs {each} more")

    return Rule(rule_id, Phase.QUOTA,
                       f"The account's {what} quota in the region leaves room for at least one instance (maxCount "
                       "is best effort: fewer are created when only fewer fit).",
                       seed("maxCount为最大努力，不保证一定能达到maxCount"), "maxCount", check)


quota_instance = _quota_rule("CREATE_INSTANCES.QUOTA_INSTANCE", "instance", "instance")
quota_cpu = _quota_rule("CREATE_INSTANCES.QUOTA_CPU", "instance_cpu", "CPU (instance_cpu)")
quota_memory = _quota_rule("CREATE_INSTANCES.QUOTA_MEMORY", "instance_memory", "memory (instance_memory, GB)")


# ---- the transition ---------------------------------------------------------------------------------


def _instance_charge(spec: ChargeSpec | None, clock: int) -> Charge:
    if spec is None or spec.chargeMode != "prepaid_by_duration":
        return Charge("postpaid_by_duration", "normal", clock)
    unit = spec.chargeUnit or "month"
    duration = spec.chargeDuration or 1
    return Charge("prepaid_by_duration", "normal", clock, clock + duration * (MONTH if unit == "month" else YEAR))


def _eip_charge(spec: ChargeSpec | None, instance: Charge, clock: int) -> Charge:
    if spec is None or spec.chargeMode is None or spec.chargeMode == "postpaid_by_usage":
        return Charge("postpaid_by_usage", "normal", clock)
    return instance


def default_hostname(name_: str, limit: int) -> str:
    """A host name derived from an instance name: other characters become '-', runs of '-' collapse, no '-' at
    either end, cut to ``limit``; ``instance`` when nothing is left."""
    text = re.sub(r"[^A-Za-z0-9-]", "-", name_)
    text = re.sub(r"-{2,}", "-", text).strip("-")[:limit].strip("-")
    return text if len(text) >= 2 else "instance"


def _hostnames(ctx: CreateCtx, names: list[str]) -> list[str]:
    n = len(names)
    given = ctx.spec.hostname
    windows = ctx.image is not None and ctx.image.os_type == "windows"
    if given is None:
        limit = 15 if windows else 64
        base = [default_hostname(nm, limit) for nm in names]
        if n > 1 and ordered_token(ctx.spec.name) is None:
            return [f"{b}{i + 1}" for i, b in enumerate(base)]
        return base
    if ordered_token(given) is not None:
        return [expand_ordered(given, i) for i in range(n)]
    if n > 1:
        return [f"{given}{i + 1}" for i in range(n)]
    return [given]


def _device_names(disks: tuple[DiskPlan, ...]) -> list[str]:
    used = {"vda"} | {d.device_name for d in disks if d.device_name is not None}
    names = []
    for d in disks:
        if d.device_name is not None:
            names.append(d.device_name)
            continue
        free = next(f"vd{c}" for c in "bcdefghijklmnopqrstuvwxyz" if f"vd{c}" not in used)
        used.add(free)
        names.append(free)
    return names


def _data_disk_plans(ctx: CreateCtx, prepaid: bool) -> list[DataDiskPlan]:
    plans = []
    disks = ctx.plan.data_disks
    for d, device in zip(disks, _device_names(disks), strict=True):
        size = d.size_gb
        if size is None and d.snapshot_id is not None:
            snap = ctx.world.snapshots.get(d.snapshot_id)
            size = snap.size_gb if snap is not None else DATA_DISK_LIMITS["ssd"][0]
        auto_delete = (True if d.auto_delete is None else d.auto_delete) and not prepaid and not d.multi_attachable
        plans.append(DataDiskPlan(d.disk_type or "ssd", size or DATA_DISK_LIMITS["ssd"][0], auto_delete, d.snapshot_id,
                                  device, multi_attachable=d.multi_attachable))
    return plans


def _apply(ctx: CreateCtx) -> tuple[World, JSON]:
    if ctx.replay is not None:
        return ctx.world, {"instanceIds": list(ctx.replay)}
    plan, spec = ctx.plan, ctx.spec
    assert plan.instance_type is not None and plan.image_id is not None and plan.subnet_id is not None
    assert ctx.subnet is not None and ctx.image is not None
    world = ctx.world
    n = _count(ctx)
    charge = _instance_charge(spec.charge, world.clock)
    prepaid = charge.mode == "prepaid_by_duration"
    names = [expand_ordered(spec.name, i) for i in range(n)]
    hostnames = _hostnames(ctx, names)
    cloud = plan.system_category == "cloud"
    system_auto_delete = True if not cloud else (not prepaid and plan.system_auto_delete is not False)
    data = _data_disk_plans(ctx, prepaid)
    nic = _nic(spec)
    digest = password_digest(spec.password) if spec.password is not None else None
    ids: list[str] = []
    for i in range(n):
        az = plan.azs[i % len(plan.azs)]
        iid, world = add_instance(
            world, owner=ctx.caller, az=az, name=names[i], instance_type=plan.instance_type, image_id=plan.image_id,
            subnet_id=plan.subnet_id, security_group_ids=plan.security_groups or (),
            system_disk="cloud" if cloud else "local", system_disk_type=plan.system_type or "ssd",
            system_disk_size_gb=plan.system_size if cloud else None, system_disk_auto_delete=system_auto_delete,
            data_disks=data, status="pending", charge=charge, ag_id=ctx.ag.ag_id if ctx.ag is not None else None,
            key_names=plan.key_names, private_ip=plan.primary_ip, description=spec.description or "",
            hostname=hostnames[i], password_digest=digest,
            nic_name=(nic.networkInterfaceName or "") if nic is not None else "",
            nic_description=(nic.description or "") if nic is not None else "",
            sanity_check=nic.sanityCheck if nic is not None and nic.sanityCheck is not None else 1,
        )
        if plan.has_eip and plan.eip_bandwidth is not None:
            eip_id, world = add_elastic_ip(world, owner=ctx.caller, region=ctx.region,
                                           bandwidth_mbps=plan.eip_bandwidth, az=az,
                                           provider=plan.eip_provider or "bgp",
                                           charge=_eip_charge(plan.eip_charge, charge, world.clock))
            world = bind_elastic_ip(world, eip_id, world.instances[iid].primary_nic_id)
        world = world.with_task(iid, "createInstances")
        ids.append(iid)
    token = ctx.req.clientToken
    if token is not None:
        world = world.evolve(client_tokens=world.client_tokens.set((ctx.caller, ctx.region, token), tuple(ids)))
    return world, {"instanceIds": ids}


def _created(world: World, task: Task) -> World:
    inst = world.instances.get(task.resource_id)
    if inst is None or inst.status != "pending":
        return world
    return world.evolve(instances=world.instances.set(inst.instance_id, replace(inst, status="running")))


CREATE_INSTANCES = Operation[CreateInstancesRequest, CreateCtx](
    name="createInstances",
    method="POST",
    path="/regions/{regionId}/instances",
    summary="创建一台或多台指定配置的云主机，创建模式分为三种：1.普通方式、2.使用高可用组、3.使用启动模板。",
    request=CreateInstancesRequest,
    context=create_context,
    replayed=_is_replay,
    rules=(
        region_exists, client_token_length, max_count, normal_required, template_required, ag_no_override,
        subnet_required, name, ordered_name_range, hostname, description, password, az_exists,
        primary_ip_single, primary_ip_format, security_group_count, device_index, nic_auto_delete, sanity_check,
        nic_name, nic_description, eip_bandwidth, eip_provider, eip_charge_mode, charge_mode, charge_duration,
        system_disk_category, local_system_disk_size, local_system_disk_auto_delete, system_disk_type,
        cloud_system_disk_size, cloud_system_disk_auto_delete, data_disk_category, data_disk_spec_required,
        data_disk_type, data_disk_size_ssd, data_disk_size_hdd, data_disk_device_name, data_disk_count_local,
        data_disk_count_cloud, key_count,
        template_exists, ag_exists, type_exists, image_exists, subnet_exists, security_groups_exist,
        default_security_group, keys_exist, data_disk_snapshot_exists,
        ag_az, image_supports_type, windows_cpu, sql_server_memory, system_disk_matches_image,
        system_disk_image_size, windows_hostname, key_linux_only, security_group_vpc, primary_ip_in_subnet,
        data_disk_snapshot_size,
        real_name, type_offline, type_sold_out, image_ready, subnet_addresses, primary_ip_free,
        quota_instance, quota_cpu, quota_memory,
    ),
    apply=_apply,
)

OPERATIONS = (CREATE_INSTANCES,)
COMPLETIONS: dict[str, Completion] = {"createInstances": _created}
