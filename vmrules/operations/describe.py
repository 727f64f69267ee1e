"""Reading instances: describeInstance, describeInstances, describeInstanceStatus,
describeInstancePrivateIpAddress and describeInstanceVncUrl.

Listings show the caller's instances in the region in creation order (``Instance.seq``), filtered (AND across
filters, OR across one filter's values) and paged (default page 1, 20 per page), with the total count of
matches. Results use the API's shapes from ``vmrules.views``.

The VNC URL is a pure function of the instance and the world clock, valid for one hour of world time: it
embeds its expiry (``expires``, world-clock seconds) and a token derived from the instance and the time it
was issued. ``vnc_url_valid(world, url)`` tells whether a URL still works in a given world.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Iterator, Sequence
from itertools import islice
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from vmrules.clock import HOUR
from vmrules.effects import default, effect
from vmrules.indexes import INDEXED_FILTERS, InstanceOrder
from vmrules.model import Instance
from vmrules.operation import Ctx, Operation
from vmrules.operations.common import (
    Completion,
    InstanceCtx,
    InstanceRequest,
    instance_context,
    instance_exists,
    instance_status_in,
    region_exists,
)
from vmrules.operations.filters import (
    DEFAULT_PAGE_SIZE,
    PAGE_SIZE_SOURCE,
    Filter,
    FilteredRequest,
    FilterKey,
    filter_rules,
    page_bounds,
    select,
)
from vmrules.operations.params import unmodelled_rule
from vmrules.rules import sdk_doc, seed
from vmrules.views import instance_view
from vmrules.world import World

JSON = dict[str, Any]


# ---- filter keys ------------------------------------------------------------------------------------


class _Row:
    """An instance with the interface facts its filters look at, resolved only when a filter or the answer
    reads them (most filters look at the instance alone)."""

    __slots__ = ("_attached", "_world", "inst")

    def __init__(self, world: World, inst: Instance) -> None:
        self._world = world
        self.inst = inst
        self._attached: tuple[str, ...] | None = None

    @property
    def attached_ips(self) -> tuple[str, ...]:
        """The primary private address of every attached interface, primary first ("" for a missing primary)."""
        if self._attached is None:
            nics = self._world.network_interfaces
            primary = nics.get(self.inst.primary_nic_id)
            others = (nics.get(n) for n in self.inst.secondary_nic_ids)
            self._attached = (primary.private_ip if primary is not None else "",
                              *(nic.private_ip for nic in others if nic is not None))
        return self._attached

    @property
    def primary_ip(self) -> str:
        return self.attached_ips[0]


def _instance_keys(*, all_interfaces: bool, with_az_and_type: bool) -> tuple[FilterKey[_Row], ...]:
    """The filters of the instance listings. describeInstances matches ``privateIpAddress`` against every
    attached interface (云主机挂载的网卡内网主IP地址); the status and address listings match the primary
    interface's address only (主网卡内网主IP地址)."""
    keys: list[FilterKey[_Row]] = [
        FilterKey("instanceId", lambda r: (r.inst.instance_id,)),
        FilterKey("privateIpAddress",
                  (lambda r: tuple(ip for ip in r.attached_ips if ip)) if all_interfaces
                  else (lambda r: (r.primary_ip,)), fuzzy=True),
    ]
    if with_az_and_type:
        keys.append(FilterKey("az", lambda r: (r.inst.az,)))
    keys += [
        FilterKey("vpcId", lambda r: (r.inst.vpc_id,)),
        FilterKey("status", lambda r: (r.inst.status,)),
        FilterKey("name", lambda r: (r.inst.name,), fuzzy=True, single=True),
        FilterKey("imageId", lambda r: (r.inst.image_id,)),
        FilterKey("networkInterfaceId", lambda r: (r.inst.primary_nic_id, *r.inst.secondary_nic_ids)),
        FilterKey("subnetId", lambda r: (r.inst.subnet_id,)),
        # ``is not None``, as the index keeps it: an instance in no group has no value to match
        FilterKey("agId", lambda r: (r.inst.ag_id,) if r.inst.ag_id is not None else (), single=True),
        FilterKey("faultDomain", lambda r: (r.inst.fault_domain,)),
    ]
    if with_az_and_type:
        keys.append(FilterKey("instanceType", lambda r: (r.inst.instance_type,)))
    return tuple(keys)


INSTANCES_FILTERS = _instance_keys(all_interfaces=True, with_az_and_type=True)
STATUS_FILTERS = _instance_keys(all_interfaces=False, with_az_and_type=False)


def _listed(ctx: Ctx[FilteredRequest], keys: tuple[FilterKey[_Row], ...]) -> tuple[list[_Row], int]:
    """The page of the caller's instances in the region that pass the filters, in creation order, and the
    number that pass. Served by the world's indexes: an unfiltered page costs the page, an ``instanceId`` or
    ``networkInterfaceId`` filter its ids, a lone filter of ``INDEXED_FILTERS`` (status, AZ, subnet, VPC, image,
    type, fault domain, availability group) the page (its count is in the index); other filters look at the
    instances the most selective indexed filter leaves, else at the caller's instances in the region."""
    world, caller, region = ctx.world, ctx.caller, ctx.req.regionId
    number, size = page_bounds(ctx.req.pageNumber, ctx.req.pageSize)
    start = (number - 1) * size
    filters = ctx.req.filters
    if not filters:
        rows = [_Row(world, i) for i in islice(world.owned_instances(caller, region, start), size)]
        return rows, world.owned_instance_count(caller, region)
    known = {k.name for k in keys}
    indexed = None if any(f.name in _LOOKED_UP for f in filters) else _narrowest(world, caller, region, [
        f for f in filters if f.name in INDEXED_FILTERS and f.name in known])
    if indexed is not None and len(filters) == 1:  # the index holds exactly the matches
        orders, total = indexed
        instances = world.instances
        page_ids = islice(_in_creation_order(orders, start), size)
        return [_Row(world, instances[iid]) for iid in page_ids], total
    if indexed is not None:
        instances = world.instances
        candidates: Iterator[_Row] = (_Row(world, instances[iid]) for iid in _in_creation_order(indexed[0]))
    else:
        candidates = _candidates(world, caller, region, filters)
    matches = select(candidates, filters, keys)
    return matches[start:start + size], len(matches)


def _narrowest(world: World, caller: str, region: str,
               filters: Sequence[Filter]) -> tuple[list[InstanceOrder], int] | None:
    """Of the index-served filters, the one with the fewest matches: the index entries of its values and their
    number (an instance has one value per indexed filter, so the entries of distinct values never overlap)."""
    best: tuple[list[InstanceOrder], int] | None = None
    for f in filters:
        orders = [o for o in (world.instances_with(caller, region, f.name, v) for v in dict.fromkeys(f.values))
                  if o is not None]
        count = sum(o.count for o in orders)
        if best is None or count < best[1]:
            best = orders, count
    return best


def _in_creation_order(orders: Sequence[InstanceOrder], start: int = 0) -> Iterator[str]:
    """The ids of the instances in ``orders`` (disjoint) in creation order, from position ``start``."""
    if not orders:
        return iter(())
    if len(orders) == 1:
        return orders[0].ids(start)
    merged = heapq.merge(*(o.entries() for o in orders))
    # past the last match the page is empty; islice takes no start beyond sys.maxsize (pageNumber has no top)
    start = min(start, sum(o.count for o in orders))
    return (instance_id for _, instance_id in islice(merged, start, None))


# Filters whose values name what to look up directly: instance ids, and interface ids (an interface names the
# one instance it is attached to, which the world's consistency checks hold to the instance's own list).
_LOOKED_UP = ("instanceId", "networkInterfaceId")


def _candidates(world: World, caller: str, region: str, filters: Sequence[Filter]) -> Iterator[_Row]:
    """The rows the filters are evaluated on, in creation order: the named instances when an instanceId
    filter is given, else the instances the interfaces of a networkInterfaceId filter are attached to (direct
    lookups, a superset of the matches: the filters still decide), else every instance of the caller in the
    region."""
    named = next((f.values for f in filters if f.name == "instanceId"), None)
    if named is None:
        nic_ids = next((f.values for f in filters if f.name == "networkInterfaceId"), None)
        if nic_ids is None:
            return (_Row(world, i) for i in world.owned_instances(caller, region))
        nics = (world.network_interfaces.get(nic_id) for nic_id in nic_ids)
        named = [nic.instance_id for nic in nics if nic is not None and nic.instance_id is not None]
    found = {i.instance_id: i for i in (world.instance(caller, region, iid) for iid in named) if i is not None}
    return (_Row(world, i) for i in sorted(found.values(), key=_creation_order))


def _creation_order(inst: Instance) -> tuple[int, str]:
    return inst.seq, inst.instance_id


# ---- describeInstance -------------------------------------------------------------------------------


class DescribeInstanceRequest(InstanceRequest):
    pass


def _describe_one(ctx: InstanceCtx[DescribeInstanceRequest]) -> tuple[World, JSON]:
    inst = ctx.instance
    assert inst is not None  # rules guarantee it
    return ctx.world, {"instance": instance_view(ctx.world, inst)}


DESCRIBE_INSTANCE = Operation[DescribeInstanceRequest, InstanceCtx[DescribeInstanceRequest]](
    name="describeInstance",
    method="GET",
    path="/regions/{regionId}/instances/{instanceId}",
    summary="查询一台云主机的详细信息",
    request=DescribeInstanceRequest,
    context=instance_context,
    rules=(region_exists, instance_exists),
    apply=_describe_one,
)


# ---- describeInstances ------------------------------------------------------------------------------


class DescribeInstancesRequest(FilteredRequest):
    tags: list[Any] | None = None  # the SDK's TagFilter list: refused when given (DESCRIBE_INSTANCES.TAGS)


DESCRIBE_INSTANCES_TAGS = unmodelled_rule(
    "DESCRIBE_INSTANCES.TAGS", {"tags": lambda r: bool(r.tags)},
    "the world models no tags, and a listing that ignored them would hold every instance",
    sdk_doc("describeInstances tags: Tag筛选条件"),
)


# effect: DESCRIBE_INSTANCES.DEFAULT_PAGE_SIZE (filters.page)
def _describe_many(ctx: Ctx[FilteredRequest]) -> tuple[World, JSON]:
    world = ctx.world
    rows, total = _listed(ctx, INSTANCES_FILTERS)
    return world, {"instances": [instance_view(world, r.inst) for r in rows], "totalCount": total}


DESCRIBE_INSTANCES_PAGE_DEFAULT = default(
    "DESCRIBE_INSTANCES.DEFAULT_PAGE_SIZE", "pageSize", str(DEFAULT_PAGE_SIZE),
    f"Without pageSize a page holds {DEFAULT_PAGE_SIZE} instances; without pageNumber it is page 1.",
    seed("此接口支持分页查询，默认每页20条。"),
)


DESCRIBE_INSTANCES = Operation[FilteredRequest, Ctx[FilteredRequest]](
    name="describeInstances",
    method="GET",
    path="/regions/{regionId}/instances",
    summary="批量查询云主机的详细信息。此接口支持分页查询，默认每页20条。",
    request=DescribeInstancesRequest,
    context=Ctx,
    rules=(region_exists, *filter_rules("DESCRIBE_INSTANCES", INSTANCES_FILTERS), DESCRIBE_INSTANCES_TAGS),
    apply=_describe_many,
    effects=(DESCRIBE_INSTANCES_PAGE_DEFAULT,),
)


# ---- describeInstanceStatus -------------------------------------------------------------------------


class DescribeInstanceStatusRequest(FilteredRequest):
    pass


# effect: DESCRIBE_INSTANCE_STATUS.DEFAULT_PAGE_SIZE (filters.page)
def _describe_status(ctx: Ctx[FilteredRequest]) -> tuple[World, JSON]:
    world = ctx.world
    rows, total = _listed(ctx, STATUS_FILTERS)
    statuses = [{"instanceId": r.inst.instance_id, "status": r.inst.status} for r in rows]
    return world, {"instanceStatuses": statuses, "totalCount": total}


DESCRIBE_INSTANCE_STATUS_PAGE_DEFAULT = default(
    "DESCRIBE_INSTANCE_STATUS.DEFAULT_PAGE_SIZE", "pageSize", str(DEFAULT_PAGE_SIZE),
    f"Without pageSize a page holds {DEFAULT_PAGE_SIZE} instances; without pageNumber it is page 1.",
    PAGE_SIZE_SOURCE,
)


DESCRIBE_INSTANCE_STATUS = Operation[FilteredRequest, Ctx[FilteredRequest]](
    name="describeInstanceStatus",
    method="GET",
    path="/regions/{regionId}/instanceStatus",
    summary="批量查询云主机状态",
    request=DescribeInstanceStatusRequest,
    context=Ctx,
    rules=(region_exists, *filter_rules("DESCRIBE_INSTANCE_STATUS", STATUS_FILTERS)),
    apply=_describe_status,
    effects=(DESCRIBE_INSTANCE_STATUS_PAGE_DEFAULT,),
)


# ---- describeInstancePrivateIpAddress ---------------------------------------------------------------


class DescribeInstancePrivateIpAddressRequest(FilteredRequest):
    pass


# effect: DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS.DEFAULT_PAGE_SIZE, DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS.PRIMARY_IP
def _describe_private_ips(ctx: Ctx[FilteredRequest]) -> tuple[World, JSON]:
    world = ctx.world
    rows, total = _listed(ctx, STATUS_FILTERS)
    addresses = [{"instanceId": r.inst.instance_id, "privateIpAddress": r.primary_ip} for r in rows]
    return world, {"instancePrivateIpAddress": addresses, "totalCount": total}


DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS_PAGE_DEFAULT = default(
    "DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS.DEFAULT_PAGE_SIZE", "pageSize", str(DEFAULT_PAGE_SIZE),
    f"Without pageSize a page holds {DEFAULT_PAGE_SIZE} instances; without pageNumber it is page 1.",
    PAGE_SIZE_SOURCE,
)

PRIMARY_PRIVATE_IP = effect(
    "DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS.PRIMARY_IP", "result",
    "Each instance is listed with the primary private IP of its primary network interface only.",
    seed("查询的是主网卡内网主IP地址"),
)


DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS = Operation[FilteredRequest, Ctx[FilteredRequest]](
    name="describeInstancePrivateIpAddress",
    method="GET",
    path="/regions/{regionId}/instancePrivateIpAddress",
    summary="批量查询云主机内网IP地址，查询的是主网卡内网主IP地址。",
    request=DescribeInstancePrivateIpAddressRequest,
    context=Ctx,
    rules=(region_exists, *filter_rules("DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS", STATUS_FILTERS)),
    apply=_describe_private_ips,
    effects=(DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS_PAGE_DEFAULT, PRIMARY_PRIVATE_IP),
)


# ---- describeInstanceVncUrl -------------------------------------------------------------------------

VNC_BASE = "https://vnc.jdcloud.com/vnc"
VNC_VALIDITY = HOUR


def _vnc_token(instance_id: str, owner: str, region: str, issued: int) -> str:
    return hashlib.sha256(f"vnc/{owner}/{region}/{instance_id}/{issued}".encode()).hexdigest()[:32]


# effect: DESCRIBE_INSTANCE_VNC_URL.VALID_ONE_HOUR
def vnc_url(inst: Instance, clock: int) -> str:
    """The VNC URL describeInstanceVncUrl returns for ``inst`` at world time ``clock``."""
    query = urlencode({
        "regionId": inst.region,
        "instanceId": inst.instance_id,
        "expires": clock + VNC_VALIDITY,
        "token": _vnc_token(inst.instance_id, inst.owner, inst.region, clock),
    })
    return f"{VNC_BASE}?{query}"


def vnc_url_expiry(url: str) -> int | None:
    """The world-clock second at which ``url`` stops working, or None when it is not a VNC URL of ours."""
    fields = _vnc_fields(url)
    return None if fields is None else fields[2]


def vnc_url_valid(world: World, url: object) -> bool:
    """True while ``url`` (from describeInstanceVncUrl) works in ``world``: the instance still exists and less
    than one hour of world time has passed since the URL was issued. Never raises."""
    if not isinstance(url, str):
        return False
    fields = _vnc_fields(url)
    if fields is None:
        return False
    region, instance_id, expires, token = fields
    inst = world.instances.get(instance_id)
    if inst is None or inst.region != region:
        return False
    issued = expires - VNC_VALIDITY
    return token == _vnc_token(instance_id, inst.owner, region, issued) and issued <= world.clock < expires


def _vnc_fields(url: str) -> tuple[str, str, int, str] | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if f"{parts.scheme}://{parts.netloc}{parts.path}" != VNC_BASE:
        return None
    query = parse_qs(parts.query)
    try:
        (region,), (instance_id,), (expires,), (token,) = (query[k] for k in (
            "regionId", "instanceId", "expires", "token"))
    except (KeyError, ValueError):
        return None
    if not expires.isdigit() or len(expires) > 18:
        return None
    return region, instance_id, int(expires), token


class DescribeInstanceVncUrlRequest(InstanceRequest):
    pass


def _describe_vnc(ctx: InstanceCtx[DescribeInstanceVncUrlRequest]) -> tuple[World, JSON]:
    inst = ctx.instance
    assert inst is not None  # rules guarantee it
    return ctx.world, {"vncUrl": vnc_url(inst, ctx.world.clock)}


VNC_VALID_ONE_HOUR = effect(
    "DESCRIBE_INSTANCE_VNC_URL.VALID_ONE_HOUR", "result",
    f"The URL returned works for {VNC_VALIDITY} seconds of world time (its expires parameter), then no longer.",
    seed("vnc地址的有效期为1个小时"),
)


DESCRIBE_INSTANCE_VNC_URL = Operation[DescribeInstanceVncUrlRequest, InstanceCtx[DescribeInstanceVncUrlRequest]](
    name="describeInstanceVncUrl",
    method="GET",
    path="/regions/{regionId}/instances/{instanceId}/vnc",
    summary="获取云主机vnc，用于连接管理云主机。vnc地址的有效期为1个小时。",
    request=DescribeInstanceVncUrlRequest,
    context=instance_context,
    rules=(
        region_exists,
        instance_exists,
        instance_status_in("DESCRIBE_INSTANCE_VNC_URL.STATUS_RUNNING", ["running"],
                           sdk_doc("describeInstanceVncUrl: 实例仅 running 状态时才可获取到 vnc 地址")),
    ),
    apply=_describe_vnc,
    effects=(VNC_VALID_ONE_HOUR,),
)


OPERATIONS = (DESCRIBE_INSTANCE, DESCRIBE_INSTANCES, DESCRIBE_INSTANCE_STATUS, DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS,
              DESCRIBE_INSTANCE_VNC_URL)
COMPLETIONS: dict[str, Completion] = {}
