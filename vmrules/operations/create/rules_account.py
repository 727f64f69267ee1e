"""createInstances rules: the account, AZ, instance type, image, keypairs and quotas."""

from __future__ import annotations

from operator import attrgetter

from vmrules.operations.common import exists_rule, image_ready_rule, listed_exist_rule
from vmrules.operations.create.plan import CreateCtx, quota_fits
from vmrules.operations.create.request import SPEC
from vmrules.operations.image_limits import image_os, sql_server_memory_rule, windows_cpu_rule
from vmrules.rules import Finding, Findings, Phase, Rule, inferred, rule, sdk_doc, seed
from vmrules.usage import instance_usage
from vmrules.world import World

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
    source=inferred("an instance type is a resource describeInstanceTypes lists; an unknown one is not found "
                    "(the seed only points to that operation)"),
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
    itype = ctx.itype
    if itype is None:
        return None
    out = [a for a in ctx.plan.azs if not itype.stock_in(a)]  # usually none: the region is not looked up
    if not out:
        return None
    region = ctx.world.regions.get(ctx.region)
    out = [a for a in out if region is not None and a in region.azs]
    if not out:
        return None
    return Finding(f"instance type {itype.instance_type} is sold out (已售罄) in {', '.join(out)}")


# ---- image ------------------------------------------------------------------------------------------


image_exists: Rule[CreateCtx] = exists_rule(
    "CREATE_INSTANCES.IMAGE_EXISTS", "image", f"{SPEC}.imageId", resolved=attrgetter("image"),
    requested=attrgetter("plan.image_id"),
    statement="imageId names an image the caller can use in the region (official, third-party, its own private "
    "or shared with it).",
    source=inferred("an image is a resource describeImages lists; one the caller cannot use is not found "
                    "(the seed only points to that operation)"),
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


windows_cpu: Rule[CreateCtx] = windows_cpu_rule(
    "CREATE_INSTANCES.WINDOWS_CPU", f"{SPEC}.instanceType", "A Windows Server image allows at most 64 CPUs.",
    lambda ctx: image_os(ctx.image, ctx.itype),
)
sql_server_memory: Rule[CreateCtx] = sql_server_memory_rule(
    "CREATE_INSTANCES.SQL_SERVER_MEMORY", f"{SPEC}.instanceType",
    "The Windows Server 2012 R2 + SQL Server 2014 Standard SP2 image needs more than 1 GB of memory.",
    attrgetter("image", "itype"),
)


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


keys_exist: Rule[CreateCtx] = listed_exist_rule(
    "CREATE_INSTANCES.KEYS_EXIST", "keypair", f"{SPEC}.keyNames",
    lambda ctx: enumerate(ctx.plan.key_names), World.keypair,
    statement="Every keypair exists in the region and belongs to the caller.",
    source=inferred("a keypair of another account or region is not found"), region_checked=False,
    path=lambda i: f"{SPEC}.keyNames.{i}",
)


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
        if ctx.itype is None or ctx.account is None or quota_fits(ctx)[resource_type] >= 1:
            return None
        each = dict(instance_usage(ctx.itype))[resource_type]
        limit = ctx.account.quota(resource_type)
        used = ctx.world.used(ctx.caller, ctx.region, resource_type)
        return Finding(f"{resource_type} quota exceeded: {used} of {limit} used in {ctx.region}; one "
                       f"{ctx.itype.instance_type} instance needs {each} more")

    # The instance quota rule is the seed's best-effort sentence (refused only when not one instance fits);
    # the CPU and memory quotas are describeQuotas' resource types, applied the same best-effort way.
    source = (seed("maxCount为最大努力，不保证一定能达到maxCount") if resource_type == "instance" else
              inferred(f"{resource_type} is a quota describeQuotas reports; each instance uses its type's share, "
                       "and like the instance quota it refuses only when not one instance fits"))
    return Rule(rule_id, Phase.QUOTA,
                f"The account's {what} quota in the region leaves room for at least one instance (maxCount "
                "is best effort: fewer are created when only fewer fit).", source, "maxCount", check)


quota_instance = _quota_rule("CREATE_INSTANCES.QUOTA_INSTANCE", "instance", "instance")
quota_cpu = _quota_rule("CREATE_INSTANCES.QUOTA_CPU", "instance_cpu", "CPU (instance_cpu)")
quota_memory = _quota_rule("CREATE_INSTANCES.QUOTA_MEMORY", "instance_memory", "memory (instance_memory, GB)")
