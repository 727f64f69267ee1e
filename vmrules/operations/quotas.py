"""describeQuotas: limit and use of the account's quotas in a region.

``used`` for instance, instance_cpu, instance_memory (GB), image, keypair and instanceTemplate is the world's
usage counter (``World.used``), which every transition keeps equal to a recount of the world. ``imageShare``
is per image: asked with an ``imageId``, its ``used`` is the number of accounts the image is shared with.
"""

from __future__ import annotations

from typing import Any

from vmrules.effects import effect
from vmrules.operation import Operation, Request
from vmrules.operations.common import Completion, region_exists
from vmrules.operations.filters import Filter, filter_names_rule, filter_operator_rule, filter_values_rule
from vmrules.operations.images import ImageCtx, image_context, image_exists, image_share_limit, own_private_rule
from vmrules.rules import Finding, Findings, Phase, rule, sdk_doc, seed
from vmrules.world import World

JSON = dict[str, Any]

# The resource types vmrules counts, in the order describeQuotas lists them.
COUNTED: tuple[str, ...] = ("instance", "instance_cpu", "instance_memory", "image", "keypair", "instanceTemplate")
IMAGE_SHARE = "imageShare"
RESOURCE_TYPES: tuple[str, ...] = (*COUNTED, IMAGE_SHARE)


class DescribeQuotasRequest(Request):
    filters: list[Filter] | None = None
    imageId: str | None = None


def requested_types(req: DescribeQuotasRequest) -> list[str] | None:
    """The resourceTypes filter's values in order (None when the request has no such filter)."""
    values = [v for f in req.filters or () if f.name == "resourceTypes" for v in f.values]
    return values if any(f.name == "resourceTypes" for f in req.filters or ()) else None


@rule(
    "DESCRIBE_QUOTAS.RESOURCE_TYPE",
    phase=Phase.PARAMETERS,
    statement="Every resourceTypes value is one of the seed's instance, image, keypair, instanceTemplate or the "
    "SDK's instance_cpu, instance_memory, imageShare (instance_local_disk is not modelled).",
    source=seed("查询配额，支持：云主机、镜像、密钥、模板"),
    field="filters",
)
def quota_resource_type(ctx: ImageCtx) -> Findings:
    found = []
    for i, f in enumerate(ctx.req.filters or ()):
        if f.name != "resourceTypes":
            continue
        for j, v in enumerate(f.values):
            if v not in RESOURCE_TYPES:
                found.append(Finding(f"filters.{i}.values.{j} {v!r} is not a resource type (supported: "
                                     f"{', '.join(RESOURCE_TYPES)})", f"filters.{i}.values.{j}"))
    return found


@rule(
    "DESCRIBE_QUOTAS.IMAGE_ID_FOR_SHARE",
    phase=Phase.PARAMETERS,
    statement="imageId is given when the imageShare quota is asked for.",
    source=sdk_doc("describeQuotas imageId: 私有镜像Id (required for imageShare)"),
    field="imageId",
)
def quota_image_id_for_share(ctx: ImageCtx) -> Findings:
    wanted = requested_types(ctx.req)
    if ctx.req.imageId is not None or wanted is None or IMAGE_SHARE not in wanted:
        return None
    return Finding("the imageShare quota is per image: give imageId")


# effect: DESCRIBE_QUOTAS.TYPES
def _describe_quotas(ctx: ImageCtx) -> tuple[World, JSON]:
    world, pin, region = ctx.world, ctx.caller, ctx.region
    account = world.account(pin)
    wanted = requested_types(ctx.req)
    if wanted is None:
        wanted = [*COUNTED, *([IMAGE_SHARE] if ctx.image is not None else [])]
    quotas = []
    for resource_type in dict.fromkeys(wanted):  # requested order, each once
        if resource_type == IMAGE_SHARE:
            if ctx.image is None:
                continue
            limit = image_share_limit(world, ctx.image.owner)
            used = len(ctx.image.shared_with)
        else:
            limit = account.quota(resource_type) if account is not None else 0
            used = world.used(pin, region, resource_type)
        quotas.append({"resourceType": resource_type, "limit": limit, "used": used})
    return world, {"quotas": quotas}


QUOTA_TYPES = effect(
    "DESCRIBE_QUOTAS.TYPES", "result",
    f"Without a resourceTypes filter the quotas of {', '.join(COUNTED)} are returned, and {IMAGE_SHARE} too "
    "when imageId is given; each with its limit and the caller's usage in the region.",
    seed("查询配额，支持：云主机、镜像、密钥、模板"),
)


DESCRIBE_QUOTAS = Operation[DescribeQuotasRequest, ImageCtx](
    name="describeQuotas",
    method="GET",
    path="/regions/{regionId}/quotas",
    summary="查询配额，支持：云主机、镜像、密钥、模板",
    request=DescribeQuotasRequest,
    context=image_context,
    rules=(
        region_exists,
        filter_names_rule("DESCRIBE_QUOTAS.FILTER_NAME", ["resourceTypes"],
                          sdk_doc("describeQuotas filters: resourceTypes (支持多个)")),
        filter_operator_rule("DESCRIBE_QUOTAS.FILTER_OPERATOR"),
        filter_values_rule("DESCRIBE_QUOTAS.FILTER_VALUES"),
        quota_resource_type,
        quota_image_id_for_share,
        image_exists,
        own_private_rule("DESCRIBE_QUOTAS.IMAGE_OWN_PRIVATE",
                         sdk_doc("describeQuotas imageId: 私有镜像Id (the imageShare quota of one's own image)"),
                         "asked for their share quota"),
    ),
    apply=_describe_quotas,
    effects=(QUOTA_TYPES,),
)

OPERATIONS = (DESCRIBE_QUOTAS,)
COMPLETIONS: dict[str, Completion] = {}
