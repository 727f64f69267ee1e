"""describeInstanceTypes: the instance-type catalogue of a region, with per-AZ stock state.

Each type is listed with the ``state`` entries of the request region's availability zones only; a type
offered in none of them is not listed. Offline types (已下线) are listed with every ``inStock`` false: they
exist, instances may still run them, but they cannot be bought.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from vmrules.model import AzStock, InstanceType
from vmrules.operation import Ctx, Operation, Request
from vmrules.operations.common import Completion, enum_rule, region_exists
from vmrules.operations.filters import (
    Filter,
    FilterKey,
    filter_names_rule,
    filter_operator_rule,
    filter_values_rule,
    select,
)
from vmrules.operations.params import unmodelled_rule
from vmrules.rules import sdk_doc
from vmrules.views import instance_type_view
from vmrules.world import World

JSON = dict[str, Any]

SERVICE_NAMES: tuple[str, ...] = ("vm", "nc")
# Every type of the model is an x86_64 type (InstanceType has no architecture of its own).
ARCHITECTURE = "x86_64"

KEYS: tuple[FilterKey[InstanceType], ...] = (
    FilterKey("instanceTypes", lambda t: (t.instance_type,)),
    FilterKey("az", lambda t: tuple(s.az for s in t.state)),
    FilterKey("architecture", lambda t: (ARCHITECTURE,), single=True),
)


class DescribeInstanceTypesRequest(Request):
    """The catalogue is not paged: no pageNumber/pageSize."""

    serviceName: str | None = None
    chargeMode: str | None = None  # spot types: refused when given (DESCRIBE_INSTANCE_TYPES.CHARGE_MODE)
    filters: list[Filter] | None = None


def in_region(world: World, itype: InstanceType, region: str) -> InstanceType | None:
    """The type as offered in ``region``: only that region's AZ states (all sold out when offline)."""
    known = world.regions.get(region)
    azs = set(known.azs) if known is not None else set()
    state = tuple(AzStock(s.az, s.in_stock and not itype.offline) for s in itype.state if s.az in azs)
    return replace(itype, state=state) if state else None


def _describe_types(ctx: Ctx[DescribeInstanceTypesRequest]) -> tuple[World, JSON]:
    if ctx.req.serviceName == "nc":
        types: list[InstanceType] = []  # the world holds no native-container (nc) types
    else:
        offered = (in_region(ctx.world, t, ctx.region) for t in ctx.world.instance_types.values())
        types = sorted((t for t in offered if t is not None), key=lambda t: t.instance_type)
    filters: list[Filter] | None = ctx.req.filters
    az_filter = [v for f in filters or () if f.name == "az" for v in f.values]
    chosen = select(types, filters, KEYS)
    views = []
    for t in chosen:
        view = instance_type_view(t)
        if az_filter:
            view["state"] = [s for s in view["state"] if s["az"] in az_filter]
        views.append(view)
    return ctx.world, {"instanceTypes": views, "specificInstanceTypes": [], "totalCount": len(views)}


DESCRIBE_INSTANCE_TYPES = Operation[DescribeInstanceTypesRequest, Ctx[DescribeInstanceTypesRequest]](
    name="describeInstanceTypes",
    method="GET",
    path="/regions/{regionId}/instanceTypes",
    summary="查询实例规格信息列表",
    request=DescribeInstanceTypesRequest,
    context=Ctx,
    rules=(
        region_exists,
        filter_names_rule("DESCRIBE_INSTANCE_TYPES.FILTER_NAME", [k.name for k in KEYS],
                          sdk_doc("describeInstanceTypes filters: instanceTypes (多个), az (多个), architecture "
                                  "(单个)")),
        filter_operator_rule("DESCRIBE_INSTANCE_TYPES.FILTER_OPERATOR"),
        filter_values_rule("DESCRIBE_INSTANCE_TYPES.FILTER_VALUES", ["architecture"]),
        unmodelled_rule(
            "DESCRIBE_INSTANCE_TYPES.CHARGE_MODE", {"chargeMode": lambda r: r.chargeMode is not None},
            "the world models no spot (postpaid_by_spot) offers, so the types on offer for one are unknown",
            sdk_doc("describeInstanceTypes chargeMode: 目前支持postpaid_by_spot：抢占式实例(后付费)")),
        enum_rule("DESCRIBE_INSTANCE_TYPES.SERVICE_NAME", "serviceName", lambda r: r.serviceName, SERVICE_NAMES,
                  sdk_doc("describeInstanceTypes serviceName: 默认为 `vm`。支持范围：`vm` 云主机，`nc` 原生容器")),
    ),
    apply=_describe_types,
)


OPERATIONS = (DESCRIBE_INSTANCE_TYPES,)
COMPLETIONS: dict[str, Completion] = {}
