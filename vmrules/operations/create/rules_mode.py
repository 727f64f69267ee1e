"""createInstances rules: the creation mode and its required fields, the launch template and availability
group, maxCount and clientToken."""

from __future__ import annotations

from operator import attrgetter

from vmrules.operations.common import exists_rule
from vmrules.operations.create.plan import CLIENT_TOKEN_MAX, MAX_COUNT, CreateCtx, given_fields
from vmrules.operations.create.request import NIC, SPEC
from vmrules.rules import Finding, Findings, Phase, Rule, guide, inferred, rule, sdk_doc

# The page the seed links for each mode's required parameters.
MODES_PAGE = "参数详细说明 https://www.jdcloud.com/help/detail/3383/isCatalog/1"

# ---- mode and required fields -----------------------------------------------------------------------


@rule(
    "CREATE_INSTANCES.NORMAL_REQUIRED",
    phase=Phase.PARAMETERS,
    statement="Without agId or instanceTemplateId, az, imageId, instanceType, systemDisk with its diskCategory "
    "(and cloudDiskSpec.diskType for a cloud system disk) are required.",
    source=guide(f"{MODES_PAGE}: required parameters of the normal mode"),
    field=SPEC,
)
def normal_required(ctx: CreateCtx) -> Findings:
    spec = ctx.spec
    if ctx.plan.mode != "normal":
        return None
    sd = spec.systemDisk
    missing: list[str] = []
    if spec.az is None or spec.imageId is None or spec.instanceType is None or sd is None:  # rare: no getattr
        missing = [f for f in ("az", "imageId", "instanceType", "systemDisk") if getattr(spec, f) is None]
    if sd is not None and sd.diskCategory is None:
        missing.append("systemDisk.diskCategory")
    cds = sd.cloudDiskSpec if sd is not None else None
    if sd is not None and sd.diskCategory == "cloud" and (cds is None or cds.diskType is None):
        missing.append("systemDisk.cloudDiskSpec.diskType")
    if not missing:
        return None
    return [Finding(f"{SPEC}.{f} is required when neither agId nor instanceTemplateId is given", f"{SPEC}.{f}")
            for f in missing]


@rule(
    "CREATE_INSTANCES.TEMPLATE_REQUIRED",
    phase=Phase.PARAMETERS,
    statement="With instanceTemplateId (and no agId), az is required.",
    source=guide(f"{MODES_PAGE}: the launch-template mode requires name, az, instanceTemplateId"),
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
    given = [f"{SPEC}.{f}" for f in given_fields(spec) if f not in _AG_ALLOWED]
    pni = spec.primaryNetworkInterface
    if pni is not None:
        given += [f"{SPEC}.primaryNetworkInterface.{f}" for f in given_fields(pni) if f != "networkInterface"]
        if pni.networkInterface is not None:
            given += [f"{NIC}.{f}" for f in given_fields(pni.networkInterface) if f != "primaryIpAddress"]
    return [Finding(f"{f} cannot be given with agId: the availability group's template decides it", f)
            for f in given]


template_exists: Rule[CreateCtx] = exists_rule(
    "CREATE_INSTANCES.TEMPLATE_EXISTS", "instance template", f"{SPEC}.instanceTemplateId",
    resolved=attrgetter("template"),
    requested=lambda ctx: ctx.spec.instanceTemplateId if ctx.plan.mode == "template" else None,
    statement="The launch template exists in the region and belongs to the caller.",
    source=inferred("a launch template of another account or region is not found (the seed names the mode: "
                    "3.使用启动模板)"), region_checked=False,
)


@rule(
    "CREATE_INSTANCES.AG_EXISTS",
    phase=Phase.EXISTENCE,
    statement="The availability group (and its launch template) exists in the region and belongs to the caller.",
    source=inferred("an availability group of another account or region is not found (the seed names the mode: "
                    "2.使用高可用组)"),
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
    source=inferred("at least one instance; at most 100 in one request (the API's range, default 1), within the "
                    "quota (SDK: 创建实例的数量，不能超过用户配额。)"),
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
    source=sdk_doc("createInstances clientToken: 用于保证请求的幂等性。由客户端生成，并确保不同请求中该参数唯一，"
                   "长度不能超过64个字符。"),
    field="clientToken",
)
def client_token_length(ctx: CreateCtx) -> Findings:
    token = ctx.req.clientToken
    if token is None or len(token) <= CLIENT_TOKEN_MAX:
        return None
    return Finding(f"clientToken has {len(token)} characters; allowed at most {CLIENT_TOKEN_MAX}")
