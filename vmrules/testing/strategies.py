"""Hypothesis strategies for worlds and requests: the public test kit of vmrules.

* ``worlds()`` — the default world plus generated resources (instances in every status and billing state,
  free and attached disks, interfaces, elastic IPs, private and shared images), optionally with tasks in
  progress. Every generated world satisfies ``vmrules.testing.invariants.check_invariants``.
* ``valid_requests(world, operation)`` — wire parameters for one operation that should succeed against
  ``world``: ids are drawn from what the caller owns and can use, values from inside the rules' ranges. When
  the world offers nothing suitable (no stopped instance for ``startInstance``) the request names the best
  candidate there is and may be refused.
* ``invalid_requests(world, operation)`` — ``(params, rule_id)`` pairs: each request breaks exactly one
  named rule, which is the rule ``execute`` must report.
* ``json_like()`` — arbitrary JSON-like values (deep nesting, huge strings, unicode, odd numbers) for
  totality tests; ``arbitrary_params(operation)`` mixes them into request shapes.
* ``requests_for(operation)`` and ``st.from_type(<request model>)`` — parsed request models (the strategies
  are registered with ``st.register_type_strategy`` for every implemented operation's request model).

Usage (see docs/testing.md)::

    from hypothesis import given, strategies as st
    from vmrules import execute
    from vmrules.testing.strategies import valid_requests, worlds

    @given(st.data())
    def test_stop(data):
        world = data.draw(worlds())
        params = data.draw(valid_requests(world, "stopInstance"))
        outcome = execute(world, "stopInstance", params)
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeAlias, TypeVar

from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from vmrules import builders
from vmrules.defaults import MAIN, MEMBERS, NORTH, SECOND
from vmrules.model import (
    PLATFORM_OWNER,
    Charge,
    Disk,
    Image,
    ImageDisk,
    Instance,
    InstanceType,
    NetworkInterface,
)
from vmrules.operation import Operation
from vmrules.operations import OPERATION_TABLE
from vmrules.rules import Phase
from vmrules.world import World

Params: TypeAlias = dict[str, Any]
Draw: TypeAlias = Callable[[st.SearchStrategy[Any]], Any]

__all__ = [
    "UNKNOWN_ID",
    "arbitrary_params",
    "callers",
    "invalid_requests",
    "json_like",
    "operations",
    "requests_for",
    "targeted_rules",
    "valid_passwords",
    "valid_requests",
    "worlds",
]

# An id no world built here contains (ids derived from the sequence are 10 characters of [0-9a-z]).
UNKNOWN_ID = "-missing000"
OTHER_REGIONS = ("cn-east-2", "cn-south-1")
DATA_DISK_TYPES = ("ssd", "premium-hdd")
DATA_DISK_MAX = {"ssd": 1000, "premium-hdd": 3000}
DEVICE_NAMES = tuple(f"vd{c}" for c in "bcdefghi")
QUOTA_TYPES = ("instance", "image", "keypair", "instanceTemplate")


def operations() -> st.SearchStrategy[str]:
    """The names of the implemented operations (``vmrules.OPERATION_TABLE``)."""
    return st.sampled_from(sorted(OPERATION_TABLE))


def callers(world: World | None = None) -> st.SearchStrategy[Any]:
    """Callers, mostly accounts of ``world`` (or of the default world), sometimes unknown pins or junk."""
    pins = sorted((world or World.default()).accounts)
    return st.one_of(
        st.sampled_from(pins),
        st.none(),
        st.text(max_size=20),
        st.sampled_from([0, 1.5, b"alice", ("alice",), {"pin": "alice"}]),
    )


# ==== JSON-like values ===============================================================================

_HUGE = ("x" * 100_000, "云" * 20_000, "\x00" * 1000, "9" * 5000)


def json_like(*, max_leaves: int = 20) -> st.SearchStrategy[Any]:
    """Arbitrary JSON-like values: None, booleans, integers of any size, floats (nan, inf), unicode and huge
    strings, lists and dicts nested arbitrarily deep (plus the occasional tuple, bytes or set)."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.sampled_from([0, -1, 2**63, -(2**63) - 1, 10**100]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
        st.sampled_from(_HUGE),
        st.sampled_from(["", "null", "true", "0", "i-", "cn-north-1", "running", "ssd", "{}", "[]"]),
    )
    odd = st.sampled_from([b"bytes", (1, 2), frozenset({1}), 1j])
    return st.recursive(
        st.one_of(scalars, odd),
        lambda children: st.one_of(
            st.lists(children, max_size=5),
            st.dictionaries(st.text(max_size=12), children, max_size=5),
        ),
        max_leaves=max_leaves,
    )


def _deep(depth: int) -> Any:
    value: Any = "bottom"
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


def arbitrary_params(operation: str | None = None) -> st.SearchStrategy[Any]:
    """Parameters of every shape: JSON-like values, objects with the request's field names and arbitrary
    values, deep nesting, attribute objects (as SDK parameter objects are)."""
    names: list[str] = ["regionId"]
    op = OPERATION_TABLE.get(operation) if operation is not None else None
    if op is not None:
        names = sorted(op.request.model_fields)
    shaped = st.dictionaries(st.sampled_from(names), json_like(max_leaves=8), max_size=len(names))
    with_region = shaped.map(lambda d: {"regionId": NORTH, **d})
    extras = st.dictionaries(st.text(max_size=10), json_like(max_leaves=4), max_size=4)
    merged = st.tuples(with_region, extras).map(lambda t: {**t[1], **t[0]})
    return st.one_of(
        json_like(),
        shaped,
        with_region,
        merged,
        st.sampled_from([1, 2, 50, 500]).map(lambda n: {"regionId": NORTH, "instanceSpec": _deep(n),
                                                        "filters": _deep(n)}),
        with_region.map(lambda d: types.SimpleNamespace(**{k: v for k, v in d.items() if k.isidentifier()})),
    )


# ==== names, passwords, texts ========================================================================

_NAME_CHARS = "abcdefghkmnpqrstuvwxyzABCDEFGHKMNPQRSTUVWXYZ0123456789_-云主机测试"


def names(min_size: int = 2, max_size: int = 32) -> st.SearchStrategy[str]:
    """Names every naming rule accepts: 2-32 of letters, digits, Chinese, ``_`` and ``-``, not starting with
    ``-`` or ``_``."""
    return st.tuples(st.sampled_from("abcdefghkmnpqrstuvwxyzABCDEFGHKMNPQRSTUVWXYZ云主机"),
                     st.text(alphabet=_NAME_CHARS, min_size=min_size - 1, max_size=max_size - 1)).map("".join)


def descriptions() -> st.SearchStrategy[str]:
    """Descriptions within the 256-character limit (any characters)."""
    return st.text(max_size=80) | st.just("d" * 256)


_UPPER = "ABDEGHKMNPRSTUVY"
_LOWER = "abdeghkmnprstuvy"
_DIGIT = "2468"
_SPECIAL = "!#$%&*+=?@^_~"


def valid_passwords() -> st.SearchStrategy[str]:
    """Passwords the public parameter rules accept (8-30 characters, all four character classes, no
    forbidden word, no run of three digits or letters, no keyboard sequence): classes alternate, so no two
    digits and no three letters are ever adjacent."""
    quad = st.tuples(st.sampled_from(_UPPER), st.sampled_from(_LOWER), st.sampled_from(_DIGIT),
                     st.sampled_from(_SPECIAL)).map("".join)
    return st.lists(quad, min_size=2, max_size=7).map("".join)


# ==== worlds =========================================================================================

_ALICE_SUBNETS = ("subnet-main00001a", "subnet-main00001b", "subnet-main00001c", "subnet-second001a")
_BOB_SUBNETS = ("subnet-bobnet001a",)
_CLOUD_IMAGES = ("img-centos7cld", "img-ubuntu18cd", "img-win2012r2c", "img-win12sql14", "img-lampthird1")
_LOCAL_IMAGES = ("img-centos7lcl",)


def _type_fits_image(world: World, itype: InstanceType, image: Image) -> bool:
    if image.constraint is not None and not image.constraint.allows(itype.instance_type):
        return False
    if image.os_type == "windows" and itype.cpu > 64:
        return False
    return not (image.platform == "Windows Server" and "SQL Server" in image.name and itype.memory_mb <= 1024)


def _types_for(world: World, az: str, image: Image, *, max_cpu: int = 32) -> list[str]:
    return sorted(
        t.instance_type for t in world.instance_types.values()
        if not t.offline and t.stock_in(az) and t.cpu <= max_cpu and _type_fits_image(world, t, image)
    )


def _charge(draw: Draw, clock: int) -> Charge:
    kind = draw(st.sampled_from(["postpaid"] * 8 + ["prepaid", "arrear", "expired"]))
    if kind == "prepaid":
        return Charge("prepaid_by_duration", "normal", clock - 86400, clock + 86400 * 30)
    if kind == "arrear":
        return Charge("postpaid_by_duration", "arrear", clock - 86400)
    if kind == "expired":
        return Charge("prepaid_by_duration", "normal", clock - 86400 * 60, clock - 86400)
    return Charge("postpaid_by_duration", "normal", clock - 3600)


def _add_generated_instance(draw: Draw, world: World, owner: str, status: str | None = None) -> World:
    """One instance of ``owner``; ``status`` given means a postpaid instance in good standing with a data disk
    (the first instances of a world are such, so that every operation finds a candidate)."""
    subnet_id = draw(st.sampled_from(_ALICE_SUBNETS if owner == MAIN else _BOB_SUBNETS))
    subnet = world.subnets[subnet_id]
    local = draw(st.booleans()) and draw(st.booleans())
    image = world.images[draw(st.sampled_from(_LOCAL_IMAGES if local else _CLOUD_IMAGES))]
    candidates = _types_for(world, subnet.az, image)
    if not candidates:
        return world
    itype = draw(st.sampled_from(candidates))
    groups = sorted(g.security_group_id for g in world.security_groups.values()
                    if g.vpc_id == subnet.vpc_id and g.owner == owner)
    chosen = draw(st.lists(st.sampled_from(groups), min_size=1, max_size=min(3, len(groups)), unique=True))
    plans = draw(st.lists(
        st.builds(builders.DataDiskPlan, disk_type=st.sampled_from(DATA_DISK_TYPES),
                  size_gb=st.integers(2, 50).map(lambda n: n * 10), auto_delete=st.booleans()),
        min_size=0 if status is None else 1, max_size=3,
    ))
    charge = _charge(draw, world.clock) if status is None else Charge("postpaid_by_duration", "normal",
                                                                      world.clock - 3600)
    status = status or draw(st.sampled_from(["running"] * 3 + ["stopped"] * 3 + ["error"]))
    _, world = builders.add_instance(
        world, owner=owner, az=subnet.az, name=draw(names(max_size=12)), instance_type=itype,
        image_id=image.image_id, subnet_id=subnet_id, security_group_ids=chosen,
        system_disk="local" if local else "cloud", data_disks=plans, status=status, charge=charge,
    )
    return world


def _add_private_image(draw: Draw, world: World, owner: str, others: Sequence[str], plain: bool = False,
                       unshared: bool = False) -> World:
    """A private image of ``owner``; ``plain``: a cloud-disk image that is not whole-machine; ``unshared``:
    shared with nobody (so that every generated world has an image deleteImage accepts)."""
    image_id, world = world.new_id("img-")
    cloud = plain or draw(st.integers(0, 4)) > 0
    whole = not plain and cloud and draw(st.integers(0, 3)) == 0
    snapshot_id: str | None = None
    disks: tuple[ImageDisk, ...] = ()
    if cloud:
        snapshot_id, world = builders.add_snapshot(world, owner=owner, region=NORTH, disk_type="ssd", size_gb=40,
                                                   image_id=image_id)
    if whole:
        data_snapshot, world = builders.add_snapshot(world, owner=owner, region=NORTH, disk_type="ssd",
                                                     size_gb=100, image_id=image_id)
        disks = (ImageDisk("vdb", "ssd", 100, data_snapshot),)
    shared = () if whole or unshared else tuple(
        draw(st.lists(st.sampled_from(list(others)), max_size=3, unique=True)))
    windows = cloud and draw(st.integers(0, 4)) == 0
    image = Image(
        image_id, owner, NORTH, draw(names(max_size=16)), "private",
        "Windows Server" if windows else "CentOS", "windows" if windows else "linux",
        "2012 R2" if windows else "7.6", "cloudDisk" if cloud else "localDisk", 40,
        status="ready", create_time=world.clock, size_mb=10240, snapshot_id=snapshot_id, data_disks=disks,
        shared_with=shared,
    )
    return builders.add_image(world, image)


def _add_free_resources(draw: Draw, world: World, owner: str) -> World:
    azs = ("cn-north-1a", "cn-north-1b") if owner == MAIN else ("cn-north-1a",)
    for _ in range(draw(st.integers(0, 3))):
        disk_type = draw(st.sampled_from(DATA_DISK_TYPES))
        _, world = builders.add_disk(
            world, owner=owner, region=NORTH, az=draw(st.sampled_from(azs)), disk_type=disk_type,
            size_gb=draw(st.integers(2, 100)) * 10, multi_attachable=draw(st.integers(0, 4)) == 0,
        )
    _, world = builders.add_elastic_ip(world, owner=owner, region=NORTH, az="")
    for _ in range(draw(st.integers(0, 2))):
        _, world = builders.add_elastic_ip(world, owner=owner, region=NORTH, az=draw(st.sampled_from(("", *azs))),
                                           bandwidth_mbps=draw(st.integers(1, 100)))
    subnets = ("subnet-main00001a", "subnet-second001a") if owner == MAIN else _BOB_SUBNETS
    for _ in range(draw(st.integers(1, 3))):
        _, world = builders.add_network_interface(world, owner=owner, subnet_id=draw(st.sampled_from(subnets)))
    return world


def _bind_some_elastic_ips(draw: Draw, world: World, owner: str) -> World:
    free = sorted(e.elastic_ip_id for e in world.elastic_ips.values()
                  if e.owner == owner and e.nic_id is None and e.az == "")
    bare = sorted(i.primary_nic_id for i in world.instances.values()
                  if i.owner == owner and world.network_interfaces[i.primary_nic_id].elastic_ip_id is None)
    for n, (eip_id, nic_id) in enumerate(zip(free, bare, strict=False)):
        if n == 0 or draw(st.booleans()):
            world = builders.bind_elastic_ip(world, eip_id, nic_id)
    return world


def _start_tasks(draw: Draw, world: World) -> World:
    """Leave some power operations in progress (tasks that ``settle`` completes)."""
    from vmrules.engine import execute

    for _ in range(draw(st.integers(0, 2))):
        op = draw(st.sampled_from(["stopInstance", "startInstance", "rebootInstance"]))
        if op not in OPERATION_TABLE:
            continue
        params = draw(valid_requests(world, op))
        outcome = execute(world, op, params)
        if outcome.ok:
            world = outcome.world
    return world


def _attach_some_interfaces(draw: Draw, world: World, owner: str) -> World:
    """Attach some free secondary interfaces to instances of the same vpc (as attachNetworkInterface would)."""
    first = True
    for nic in sorted(world.network_interfaces.values(), key=lambda n: n.nic_id):
        if nic.owner != owner or nic.instance_id is not None or nic.role != "Secondary":
            continue
        if not first and not draw(st.booleans()):
            continue
        if nic.elastic_ip_id is not None:
            continue
        hosts = [i for i in _owned_instances(world, owner)
                 if i.vpc_id == nic.vpc_id
                 and 1 + len(i.secondary_nic_ids) < world.instance_types[i.instance_type].nic_limit]
        if not hosts:
            continue
        first = False
        inst: Instance = draw(st.sampled_from(hosts))
        used = {world.network_interfaces[n].device_index for n in inst.secondary_nic_ids}
        index = min(i for i in range(2, 9) if i not in used)
        world = world.evolve(
            network_interfaces=world.network_interfaces.set(nic.nic_id, dataclasses.replace(
                nic, instance_id=inst.instance_id, device_index=index, auto_delete=draw(st.booleans()))),
            instances=world.instances.set(inst.instance_id, dataclasses.replace(
                inst, secondary_nic_ids=(*inst.secondary_nic_ids, nic.nic_id))),
        )
    return world


@st.composite
def _worlds(draw: Draw, max_instances: int, busy: bool, bob: bool) -> World:
    world = World.default()
    for n in range(draw(st.integers(min(2, max_instances), max_instances))):
        world = _add_generated_instance(draw, world, MAIN, ("running", "stopped")[n] if n < 2 else None)
    world = _add_free_resources(draw, world, MAIN)
    world = _attach_some_interfaces(draw, world, MAIN)
    others = [SECOND, *MEMBERS[:3]]
    for n in range(draw(st.integers(2, 4))):
        world = _add_private_image(draw, world, MAIN, others, plain=n < 2, unshared=n == 0)
    if bob:
        for _ in range(draw(st.integers(0, 2))):
            world = _add_generated_instance(draw, world, SECOND)
        world = _add_free_resources(draw, world, SECOND)
        if draw(st.booleans()):
            world = _add_private_image(draw, world, SECOND, [MAIN])
    world = _bind_some_elastic_ips(draw, world, MAIN)
    if busy and draw(st.booleans()):
        world = _start_tasks(draw, world)
    return world


def worlds(*, max_instances: int = 6, busy: bool = True, bob: bool = True) -> st.SearchStrategy[World]:
    """The default world plus generated resources.

    ``max_instances`` instances of the default account (running, stopped or error; local or cloud system
    disks; 0-3 data disks; postpaid, prepaid, expired or in arrears), free disks, elastic IPs and secondary
    interfaces, private images (some whole-machine, some shared). ``bob`` adds resources of the second
    account (bob), ``busy`` sometimes leaves power operations in progress.
    """
    return _worlds(max_instances, busy, bob)


# ==== lookups used by the request strategies =========================================================


def _owned_instances(world: World, caller: str, *, statuses: Sequence[str] | None = None,
                     idle: bool = True, where: Callable[[Instance], bool] | None = None) -> list[Instance]:
    found = []
    for inst in world.instances.values():
        if inst.owner != caller:
            continue
        if statuses is not None and inst.status not in statuses:
            continue
        if idle and world.busy(inst.instance_id):
            continue
        if where is not None and not where(inst):
            continue
        found.append(inst)
    return sorted(found, key=lambda i: i.instance_id)


T = TypeVar("T")


def _by_id(resources: Mapping[str, T]) -> list[T]:
    """Values in id order: maps iterate in hash order, which changes between processes."""
    return [resources[key] for key in sorted(resources)]


def _charge_normal(world: World, inst: Instance) -> bool:
    return inst.charge is not None and inst.charge.effective_status(world.clock) == "normal"


def _pick_instance(draw: Draw, world: World, caller: str, **filters: Any) -> Instance | None:
    """An instance matching ``filters``; failing that, any instance of the caller; failing that, None."""
    for candidates in (_owned_instances(world, caller, **filters), _owned_instances(world, caller, idle=False)):
        if candidates:
            inst: Instance = draw(st.sampled_from(candidates))
            return inst
    return None


def _instance_id(inst: Instance | None) -> str:
    return inst.instance_id if inst is not None else "i" + UNKNOWN_ID


def _own_images(world: World, caller: str, *, where: Callable[[Image], bool] | None = None) -> list[Image]:
    return sorted((i for i in world.images.values()
                   if i.owner == caller and i.source == "private" and i.region == NORTH
                   and (where is None or where(i))),
                  key=lambda i: i.image_id)


def _visible_images(world: World, caller: str, region: str) -> list[Image]:
    return sorted((i for i in world.images.values() if world.image(caller, region, i.image_id) is not None),
                  key=lambda i: i.image_id)


def _pick_image(draw: Draw, candidates: list[Image], fallback: list[Image]) -> str:
    for pool in (candidates, fallback):
        if pool:
            image: Image = draw(st.sampled_from(pool))
            return image.image_id
    return "img" + UNKNOWN_ID


def _data_disk_cap(inst: Instance) -> int:
    return 8 if inst.system_disk.category == "local" else 7


def _free_disks(world: World, caller: str, az: str | None = None) -> list[Disk]:
    return sorted((d for d in world.disks.values()
                   if d.owner == caller and d.status == "available" and not d.attachments
                   and not world.busy(d.disk_id) and (az is None or d.az == az)),
                  key=lambda d: d.disk_id)


def _free_nics(world: World, caller: str, inst: Instance | None) -> list[NetworkInterface]:
    def fits(nic: NetworkInterface) -> bool:
        if nic.owner != caller or nic.instance_id is not None or nic.role != "Secondary":
            return False
        if world.busy(nic.nic_id) or (inst is not None and nic.vpc_id != inst.vpc_id):
            return False
        if inst is not None and nic.elastic_ip_id is not None:
            eip = world.elastic_ips.get(nic.elastic_ip_id)
            return eip is not None and eip.az in ("", inst.az)
        return True

    return sorted((n for n in world.network_interfaces.values() if fits(n)), key=lambda n: n.nic_id)


def _primary_eip(world: World, inst: Instance) -> str | None:
    nic = world.network_interfaces.get(inst.primary_nic_id)
    return nic.elastic_ip_id if nic is not None else None


def _maybe(draw: Draw, key: str, strategy: st.SearchStrategy[Any], params: Params) -> None:
    if draw(st.booleans()):
        params[key] = draw(strategy)


def _paging(draw: Draw, params: Params) -> None:
    _maybe(draw, "pageNumber", st.integers(1, 3), params)
    _maybe(draw, "pageSize", st.integers(10, 100), params)


# ==== valid requests, one builder per operation ======================================================

ValidBuilder: TypeAlias = Callable[[Draw, World, str], Params]
_VALID: dict[str, ValidBuilder] = {}


def _valid(name: str) -> Callable[[ValidBuilder], ValidBuilder]:
    def register(fn: ValidBuilder) -> ValidBuilder:
        _VALID[name] = fn
        return fn

    return register


def _power(name: str, status: str, *, normal_charge: bool) -> None:
    def build(draw: Draw, world: World, caller: str) -> Params:
        inst = _pick_instance(draw, world, caller, statuses=[status],
                              where=(lambda i: _charge_normal(world, i)) if normal_charge else None)
        return {"regionId": NORTH, "instanceId": _instance_id(inst)}

    _VALID[name] = build


_power("startInstance", "stopped", normal_charge=True)
_power("rebootInstance", "running", normal_charge=True)


@_valid("stopInstance")
def _stop(draw: Draw, world: World, caller: str) -> Params:
    inst = _pick_instance(draw, world, caller, statuses=["running"])
    params: Params = {"regionId": NORTH, "instanceId": _instance_id(inst)}
    if inst is not None and inst.system_disk.category == "cloud" and inst.charge is not None \
            and inst.charge.mode == "postpaid_by_duration":
        _maybe(draw, "chargeOnStopped", st.sampled_from(["keepCharging", "stopCharging"]), params)
    return params


@_valid("deleteInstance")
def _delete_instance(draw: Draw, world: World, caller: str) -> Params:
    def deletable(inst: Instance) -> bool:
        charge = inst.charge
        if charge is None:
            return False
        return charge.mode != "prepaid_by_duration" or charge.effective_status(world.clock) != "normal"

    inst = _pick_instance(draw, world, caller, statuses=["running", "stopped", "error"], where=deletable)
    return {"regionId": NORTH, "instanceId": _instance_id(inst)}


def _instance_only(name: str, statuses: Sequence[str] | None = None, idle: bool = False) -> None:
    def build(draw: Draw, world: World, caller: str) -> Params:
        inst = _pick_instance(draw, world, caller, statuses=statuses, idle=idle)
        return {"regionId": NORTH, "instanceId": _instance_id(inst)}

    _VALID[name] = build


_instance_only("describeInstance")
_instance_only("describeInstanceVncUrl", ["running"])


@_valid("modifyInstanceAttribute")
def _modify_instance(draw: Draw, world: World, caller: str) -> Params:
    inst = _pick_instance(draw, world, caller, idle=False)
    params: Params = {"regionId": NORTH, "instanceId": _instance_id(inst)}
    _maybe(draw, "name", names(), params)
    _maybe(draw, "description", descriptions(), params)
    return params


@_valid("modifyInstancePassword")
def _modify_password(draw: Draw, world: World, caller: str) -> Params:
    inst = _pick_instance(draw, world, caller)
    return {"regionId": NORTH, "instanceId": _instance_id(inst), "password": draw(valid_passwords())}


@_valid("associateElasticIp")
def _associate(draw: Draw, world: World, caller: str) -> Params:
    free = sorted((e for e in world.elastic_ips.values() if e.owner == caller and e.nic_id is None),
                  key=lambda e: e.elastic_ip_id)
    inst = _pick_instance(draw, world, caller, where=lambda i: _primary_eip(world, i) is None
                          and any(e.az in ("", i.az) for e in free))
    fitting = [e for e in free if inst is None or e.az in ("", inst.az)] or free
    eip_id = draw(st.sampled_from(fitting)).elastic_ip_id if fitting else "fip" + UNKNOWN_ID
    return {"regionId": NORTH, "instanceId": _instance_id(inst), "elasticIpId": eip_id}


@_valid("disassociateElasticIp")
def _disassociate(draw: Draw, world: World, caller: str) -> Params:
    inst = _pick_instance(draw, world, caller, where=lambda i: _primary_eip(world, i) is not None)
    eip_id = _primary_eip(world, inst) if inst is not None else None
    return {"regionId": NORTH, "instanceId": _instance_id(inst), "elasticIpId": eip_id or "fip" + UNKNOWN_ID}


@_valid("attachDisk")
def _attach_disk(draw: Draw, world: World, caller: str) -> Params:
    inst = _pick_instance(draw, world, caller, statuses=["running", "stopped"],
                          where=lambda i: len(i.data_disks) < _data_disk_cap(i) and bool(_free_disks(world, caller,
                                                                                                      i.az)))
    disks = _free_disks(world, caller, inst.az if inst is not None else None) or _free_disks(world, caller)
    disk = draw(st.sampled_from(disks)) if disks else None
    params: Params = {"regionId": NORTH, "instanceId": _instance_id(inst),
                      "diskId": disk.disk_id if disk is not None else "vol" + UNKNOWN_ID}
    if disk is not None and not disk.multi_attachable and disk.charge.mode == "postpaid_by_duration":
        _maybe(draw, "autoDelete", st.booleans(), params)
    if inst is not None and draw(st.booleans()):
        used = {dd.device_name for dd in inst.data_disks} | {inst.system_disk.device_name}
        free_names = [n for n in DEVICE_NAMES if n not in used]
        if free_names:
            params["deviceName"] = draw(st.sampled_from(free_names))
    return params


@_valid("detachDisk")
def _detach_disk(draw: Draw, world: World, caller: str) -> Params:
    def has_attached(inst: Instance) -> bool:
        return any(dd.status == "attached" and not world.busy(dd.disk_id) for dd in inst.data_disks)

    inst = _pick_instance(draw, world, caller, statuses=["running", "stopped"], where=has_attached)
    disks = [dd.disk_id for dd in inst.data_disks if dd.status == "attached"] if inst is not None else []
    params: Params = {"regionId": NORTH, "instanceId": _instance_id(inst),
                      "diskId": draw(st.sampled_from(disks)) if disks else "vol" + UNKNOWN_ID}
    _maybe(draw, "force", st.booleans(), params)
    return params


@_valid("attachNetworkInterface")
def _attach_nic(draw: Draw, world: World, caller: str) -> Params:
    def room(inst: Instance) -> bool:
        itype = world.instance_types.get(inst.instance_type)
        return itype is not None and 1 + len(inst.secondary_nic_ids) < itype.nic_limit \
            and bool(_free_nics(world, caller, inst))

    inst = _pick_instance(draw, world, caller, statuses=["running", "stopped"], where=room)
    nics = _free_nics(world, caller, inst) or _free_nics(world, caller, None)
    params: Params = {"regionId": NORTH, "instanceId": _instance_id(inst),
                      "networkInterfaceId": draw(st.sampled_from(nics)).nic_id if nics else "port" + UNKNOWN_ID}
    _maybe(draw, "autoDelete", st.booleans(), params)
    return params


@_valid("detachNetworkInterface")
def _detach_nic(draw: Draw, world: World, caller: str) -> Params:
    inst = _pick_instance(draw, world, caller, statuses=["running", "stopped"],
                          where=lambda i: bool(i.secondary_nic_ids))
    nics = list(inst.secondary_nic_ids) if inst is not None else []
    return {"regionId": NORTH, "instanceId": _instance_id(inst),
            "networkInterfaceId": draw(st.sampled_from(nics)) if nics else "port" + UNKNOWN_ID}


@_valid("modifyInstanceDiskAttribute")
def _modify_disks(draw: Draw, world: World, caller: str) -> Params:
    def changeable(inst: Instance) -> bool:
        return any(_auto_delete_changeable(world, dd.disk_id) for dd in inst.data_disks)

    inst = _pick_instance(draw, world, caller, where=changeable)
    disks = [dd.disk_id for dd in inst.data_disks if _auto_delete_changeable(world, dd.disk_id)] if inst else []
    chosen = draw(st.lists(st.sampled_from(disks), min_size=1, max_size=len(disks), unique=True)) if disks else []
    return {"regionId": NORTH, "instanceId": _instance_id(inst),
            "dataDisks": [{"diskId": d, "autoDelete": draw(st.booleans())} for d in chosen]}


def _auto_delete_changeable(world: World, disk_id: str) -> bool:
    disk = world.disks.get(disk_id)
    return disk is not None and not disk.multi_attachable and disk.charge.mode == "postpaid_by_duration"


@_valid("modifyInstanceNetworkAttribute")
def _modify_networks(draw: Draw, world: World, caller: str) -> Params:
    inst = _pick_instance(draw, world, caller, where=lambda i: bool(i.secondary_nic_ids))
    nics = list(inst.secondary_nic_ids) if inst is not None else []
    chosen = draw(st.lists(st.sampled_from(nics), min_size=1, max_size=len(nics), unique=True)) if nics else []
    return {"regionId": NORTH, "instanceId": _instance_id(inst),
            "networks": [{"networkInterfaceId": n, "autoDelete": draw(st.booleans())} for n in chosen]}


def _resize_targets(world: World, inst: Instance) -> list[str]:
    current = world.instance_types.get(inst.instance_type)
    image = world.images.get(inst.image_id)
    account = world.accounts.get(inst.owner)
    if current is None or account is None:
        return []
    cpu_room = account.quota("instance_cpu") - world.used(inst.owner, inst.region, "instance_cpu")
    mem_room = account.quota("instance_memory") - world.used(inst.owner, inst.region, "instance_memory")
    found = []
    for t in world.instance_types.values():
        if t.instance_type == current.instance_type or t.offline or not t.stock_in(inst.az):
            continue
        if t.generation != current.generation or t.cpu > 32:
            continue
        if 1 + len(inst.secondary_nic_ids) > t.nic_limit:
            continue
        if image is not None and not _type_fits_image(world, t, image):
            continue
        if t.cpu - current.cpu > cpu_room or t.memory_mb // 1024 - current.memory_mb // 1024 > mem_room:
            continue
        if t.local_disks != current.local_disks:
            continue
        found.append(t.instance_type)
    return sorted(found)


@_valid("resizeInstance")
def _resize(draw: Draw, world: World, caller: str) -> Params:
    inst = _pick_instance(draw, world, caller, statuses=["stopped"],
                          where=lambda i: _charge_normal(world, i) and bool(_resize_targets(world, i)))
    targets = _resize_targets(world, inst) if inst is not None else []
    return {"regionId": NORTH, "instanceId": _instance_id(inst),
            "instanceType": draw(st.sampled_from(targets)) if targets else "g.n2.large"}


def _rebuild_images(world: World, inst: Instance) -> list[Image]:
    itype = world.instance_types.get(inst.instance_type)
    want = "localDisk" if inst.system_disk.category == "local" else "cloudDisk"
    return [i for i in _visible_images(world, inst.owner, inst.region)
            if i.status == "ready" and i.root_device_type == want and i.system_disk_size_gb <= 40
            and not i.whole_machine and (itype is None or _type_fits_image(world, itype, i))]


@_valid("rebuildInstance")
def _rebuild(draw: Draw, world: World, caller: str) -> Params:
    def rebuildable(inst: Instance) -> bool:
        current = world.images.get(inst.image_id)
        return current is not None and current.status == "ready" and current in _rebuild_images(world, inst)

    inst = _pick_instance(draw, world, caller, statuses=["stopped"], where=rebuildable)
    params: Params = {"regionId": NORTH, "instanceId": _instance_id(inst), "password": draw(valid_passwords())}
    if inst is not None and draw(st.booleans()):
        images = _rebuild_images(world, inst)
        if images:
            image: Image = draw(st.sampled_from(images))
            params["imageId"] = image.image_id
    return params


@_valid("createImage")
def _create_image(draw: Draw, world: World, caller: str) -> Params:
    inst = _pick_instance(draw, world, caller, statuses=["stopped"])
    return {"regionId": NORTH, "instanceId": _instance_id(inst), "name": draw(names()),
            "description": draw(descriptions())}


def _ready(image: Image) -> bool:
    return image.status == "ready"


@_valid("copyImages")
def _copy_images(draw: Draw, world: World, caller: str) -> Params:
    images = _own_images(world, caller, where=lambda i: _ready(i) and i.root_device_type == "cloudDisk"
                         and i.region == NORTH)
    ids = draw(st.lists(st.sampled_from([i.image_id for i in images]), min_size=1, max_size=min(3, len(images)),
                        unique=True)) if images else ["img" + UNKNOWN_ID]
    params: Params = {"regionId": NORTH, "sourceImageIds": ids, "destinationRegion": draw(st.sampled_from(
        OTHER_REGIONS))}
    _maybe(draw, "name", names(), params)
    _maybe(draw, "description", descriptions(), params)
    return params


@_valid("deleteImage")
def _delete_image(draw: Draw, world: World, caller: str) -> Params:
    in_use = {i.image_id for i in world.instances.values()}
    images = _own_images(world, caller, where=lambda i: _ready(i) and not i.shared_with
                         and not world.busy(i.image_id) and i.image_id not in in_use)
    params: Params = {"regionId": NORTH, "imageId": _pick_image(draw, images, _own_images(world, caller))}
    _maybe(draw, "deleteSnapshot", st.booleans(), params)
    return params


@_valid("modifyImageAttribute")
def _modify_image(draw: Draw, world: World, caller: str) -> Params:
    params: Params = {"regionId": NORTH, "imageId": _pick_image(draw, _own_images(world, caller, where=_ready),
                                                                _own_images(world, caller))}
    _maybe(draw, "name", names(), params)
    _maybe(draw, "description", descriptions(), params)
    return params


@_valid("describeImageMembers")
def _image_members(draw: Draw, world: World, caller: str) -> Params:
    return {"regionId": NORTH, "imageId": _pick_image(draw, _own_images(world, caller), [])}


@_valid("shareImage")
def _share(draw: Draw, world: World, caller: str) -> Params:
    images = _own_images(world, caller, where=lambda i: _ready(i) and not i.whole_machine and len(i.shared_with)
                         < 20)
    image_id = _pick_image(draw, images, _own_images(world, caller))
    image = world.images.get(image_id)
    taken = set(image.shared_with) if image is not None else set()
    room = 20 - len(taken)
    others = [p for p in sorted(world.accounts) if p != caller and p not in taken]
    pins = draw(st.lists(st.sampled_from(others), min_size=1, max_size=max(1, min(3, room)), unique=True))
    return {"regionId": NORTH, "imageId": image_id, "pins": pins}


@_valid("unShareImage")
def _unshare(draw: Draw, world: World, caller: str) -> Params:
    images = _own_images(world, caller, where=lambda i: bool(i.shared_with))
    image_id = _pick_image(draw, images, _own_images(world, caller))
    image = world.images.get(image_id)
    shared = list(image.shared_with) if image is not None else []
    pins = draw(st.lists(st.sampled_from(shared), min_size=1, max_size=len(shared), unique=True)) if shared \
        else [SECOND]
    return {"regionId": NORTH, "imageId": image_id, "pins": pins}


@_valid("describeImage")
def _describe_image(draw: Draw, world: World, caller: str) -> Params:
    return {"regionId": NORTH, "imageId": _pick_image(draw, _visible_images(world, caller, NORTH), [])}


@_valid("describeImageConstraints")
def _describe_constraints(draw: Draw, world: World, caller: str) -> Params:
    official = [i for i in _visible_images(world, caller, NORTH) if i.owner == PLATFORM_OWNER]
    return {"regionId": NORTH, "imageId": _pick_image(draw, official, [])}


@_valid("describeImageConstraintsBatch")
def _describe_constraints_batch(draw: Draw, world: World, caller: str) -> Params:
    official = [i.image_id for i in _visible_images(world, caller, NORTH) if i.owner == PLATFORM_OWNER]
    params: Params = {"regionId": NORTH}
    if draw(st.booleans()):
        params["ids"] = draw(st.lists(st.sampled_from(official), min_size=1, max_size=len(official), unique=True))
    return params


@_valid("describeImages")
def _describe_images(draw: Draw, world: World, caller: str) -> Params:
    params: Params = {"regionId": NORTH}
    if draw(st.integers(0, 3)) == 0:
        visible = [i.image_id for i in _visible_images(world, caller, NORTH)]
        params["ids"] = draw(st.lists(st.sampled_from(visible), min_size=1, max_size=5, unique=True))
    else:
        params["imageSource"] = draw(st.sampled_from(["public", "thirdparty", "private", "shared"]))
        _maybe(draw, "platform", st.sampled_from(["Windows Server", "CentOS", "Ubuntu"]), params)
        _maybe(draw, "rootDeviceType", st.sampled_from(["localDisk", "cloudDisk"]), params)
        _maybe(draw, "status", st.sampled_from(["pending", "ready", "deleting", "error"]), params)
    _paging(draw, params)
    return params


_INSTANCE_FILTERS = ("instanceId", "status", "vpcId", "subnetId", "imageId", "privateIpAddress", "name",
                     "networkInterfaceId")


def _instance_filter(draw: Draw, world: World, caller: str, name: str) -> Params:
    mine = _owned_instances(world, caller, idle=False)
    values: list[str]
    if name == "status":
        values = draw(st.lists(st.sampled_from(["running", "stopped", "pending", "error"]), min_size=1,
                               max_size=2, unique=True))
    elif name == "name":
        values = [draw(st.sampled_from([i.name for i in mine] or ["vm"]))]
    else:
        attr = {"instanceId": "instance_id", "vpcId": "vpc_id", "subnetId": "subnet_id", "imageId": "image_id",
                "networkInterfaceId": "primary_nic_id"}.get(name)
        if attr is not None:
            pool = sorted({str(getattr(i, attr)) for i in mine}) or ["x" + UNKNOWN_ID]
        else:  # privateIpAddress
            pool = sorted({world.network_interfaces[i.primary_nic_id].private_ip for i in mine
                           if i.primary_nic_id in world.network_interfaces}) or ["10.0.1.4"]
        values = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=2, unique=True))
    return {"name": name, "values": values}


def _instance_listing(name: str, *, extra_filters: Sequence[str] = ()) -> None:
    def build(draw: Draw, world: World, caller: str) -> Params:
        params: Params = {"regionId": NORTH}
        _paging(draw, params)
        if draw(st.booleans()):
            chosen = draw(st.lists(st.sampled_from(_INSTANCE_FILTERS), min_size=1, max_size=2, unique=True))
            params["filters"] = [_instance_filter(draw, world, caller, n) for n in chosen]
        return params

    _VALID[name] = build


_instance_listing("describeInstances")
_instance_listing("describeInstanceStatus")
_instance_listing("describeInstancePrivateIpAddress")


@_valid("describeInstanceTypes")
def _describe_types(draw: Draw, world: World, caller: str) -> Params:
    params: Params = {"regionId": NORTH}
    if draw(st.booleans()):
        filters = []
        if draw(st.booleans()):
            filters.append({"name": "instanceTypes", "values": draw(st.lists(
                st.sampled_from(sorted(world.instance_types)), min_size=1, max_size=3, unique=True))})
        if draw(st.booleans()) or not filters:
            filters.append({"name": "az", "values": [draw(st.sampled_from(world.regions[NORTH].azs))]})
        params["filters"] = filters
    return params


@_valid("describeQuotas")
def _describe_quotas(draw: Draw, world: World, caller: str) -> Params:
    params: Params = {"regionId": NORTH}
    if draw(st.booleans()):
        params["filters"] = [{"name": "resourceTypes", "values": draw(st.lists(
            st.sampled_from(QUOTA_TYPES), min_size=1, max_size=len(QUOTA_TYPES), unique=True))}]
    return params


# ---- createInstances --------------------------------------------------------------------------------


def _create_normal(draw: Draw, world: World, caller: str) -> Params:
    subnets = sorted(s.subnet_id for s in world.subnets.values() if s.owner == caller and s.region == NORTH)
    subnet = world.subnets[draw(st.sampled_from(subnets))] if subnets else world.subnets["subnet-main00001a"]
    images = [i for i in _visible_images(world, caller, NORTH) if i.status == "ready" and not i.whole_machine
              and i.system_disk_size_gb <= 500]
    image: Image = draw(st.sampled_from(images)) if images else world.images["img-centos7cld"]
    types_ = _types_for(world, subnet.az, image, max_cpu=8) or ["g.n2.medium"]
    itype = draw(st.sampled_from(types_))
    groups = sorted(g.security_group_id for g in world.security_groups.values()
                    if g.vpc_id == subnet.vpc_id and g.owner == caller)
    nic: Params = {"subnetId": subnet.subnet_id}
    if groups and draw(st.booleans()):
        nic["securityGroups"] = draw(st.lists(st.sampled_from(groups), min_size=1, max_size=min(5, len(groups)),
                                              unique=True))
    spec: Params = {
        "az": subnet.az,
        "instanceType": itype,
        "imageId": image.image_id,
        "name": draw(names()),
        "primaryNetworkInterface": {"networkInterface": nic},
    }
    if image.root_device_type == "localDisk":
        spec["systemDisk"] = {"diskCategory": "local"}
        cap = 8
    else:
        size = draw(st.integers(max(40, image.system_disk_size_gb), 500))
        spec["systemDisk"] = {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": size}}
        cap = 7
    disks = []
    for _ in range(draw(st.integers(0, min(2, cap)))):
        disk_type = draw(st.sampled_from(DATA_DISK_TYPES))
        size = draw(st.integers(2, DATA_DISK_MAX[disk_type] // 10)) * 10
        disks.append({"diskCategory": "cloud", "cloudDiskSpec": {"diskType": disk_type, "diskSizeGB": size}})
    if disks:
        spec["dataDisks"] = disks
    _maybe(draw, "description", descriptions(), spec)
    _maybe(draw, "password", valid_passwords(), spec)
    if draw(st.integers(0, 3)) == 0:
        spec["elasticIp"] = {"bandwidthMbps": draw(st.integers(1, 100)), "provider": "bgp"}
    if image.os_type == "linux" and draw(st.integers(0, 3)) == 0:
        keys = sorted(k.key_name for k in world.keypairs.values() if k.owner == caller and k.region == NORTH)
        if keys:
            spec["keyNames"] = [draw(st.sampled_from(keys))]
    return spec


@_valid("createInstances")
def _create_instances(draw: Draw, world: World, caller: str) -> Params:
    mode = draw(st.sampled_from(["normal"] * 4 + ["template", "ag"]))
    templates = sorted(t.template_id for t in world.templates.values() if t.owner == caller)
    ags = sorted(a.ag_id for a in world.availability_groups.values() if a.owner == caller)
    spec: Params
    if mode == "template" and templates:
        template = world.templates[draw(st.sampled_from(templates))]
        subnet = world.subnets.get(template.subnet_id)
        spec = {"name": draw(names()), "az": subnet.az if subnet is not None else "cn-north-1a",
                "instanceTemplateId": template.template_id}
    elif mode == "ag" and ags:
        spec = {"name": draw(names()), "agId": draw(st.sampled_from(ags))}
    else:
        spec = _create_normal(draw, world, caller)
    params: Params = {"regionId": NORTH, "instanceSpec": spec}
    _maybe(draw, "maxCount", st.integers(1, 3), params)
    _maybe(draw, "clientToken", st.text(alphabet="abcdef0123456789-", min_size=1, max_size=64), params)
    return params


# ==== public request strategies =====================================================================


@st.composite
def _valid_request(draw: Draw, world: World, operation: str, caller: str) -> Params:
    builder = _VALID.get(operation)
    draw(st.just(operation))  # builders that find no candidate draw nothing; hypothesis wants one draw
    if builder is None:
        return {"regionId": NORTH}
    return builder(draw, world, caller)


def valid_requests(world: World, operation: str, *, caller: str | None = None) -> st.SearchStrategy[Params]:
    """Wire parameters for ``operation`` that should succeed against ``world`` for ``caller`` (default: the
    world's default account). Ids come from what the caller owns; values are inside the rules' ranges."""
    return _valid_request(world, operation, caller or world.default_account)


# ---- invalid requests ---------------------------------------------------------------------------------

Invalid: TypeAlias = tuple[Params, str]
InvalidMaker: TypeAlias = Callable[[World, str, str], "st.SearchStrategy[Invalid] | None"]
_INVALID: dict[str, list[InvalidMaker]] = {}
# operation -> the operation's own rules an invalid-request maker targets (when the world allows it)
_TARGETS: dict[str, list[str]] = {}


def targeted_rules(operation: str) -> list[str]:
    """Every rule ``invalid_requests`` can target for ``operation``: the request-shape rules, the unknown
    region, the EXISTENCE rule of each id parameter and the operation's own rules (each needs a world that
    allows building the violation)."""
    op = OPERATION_TABLE.get(operation)
    if op is None:
        return []
    found = ["REQUEST.REQUIRED"]
    if any(_rejects(op, f, v) for f in op.request.model_fields for v in _WRONG_VALUES):
        found.append("REQUEST.TYPE")
    if op.rules and op.rules[0].id == "COMMON.REGION_EXISTS":
        found.append("COMMON.REGION_EXISTS")
    found += [r for f in _ID_FIELDS if f in op.request.model_fields for r in [_existence_rule(op, f)] if r]
    own = {r.id for r in op.rules}
    found += [r for r in _TARGETS.get(operation, []) if r in own]
    return list(dict.fromkeys(found))


def _rule_ids(operation: str) -> tuple[str, ...]:
    op = OPERATION_TABLE.get(operation)
    return tuple(r.id for r in op.rules) if op is not None else ()


def _invalid(*operations: str) -> Callable[[InvalidMaker], InvalidMaker]:
    def register(fn: InvalidMaker) -> InvalidMaker:
        for name in operations:
            _INVALID.setdefault(name, []).append(fn)
        return fn

    return register


def _required_fields(op: Operation[Any, Any]) -> list[str]:
    return sorted(name for name, f in op.request.model_fields.items() if f.is_required())


def _missing_field(world: World, caller: str, operation: str) -> st.SearchStrategy[Invalid] | None:
    """A valid request with one of its required fields absent or null."""
    op = OPERATION_TABLE.get(operation)
    if op is None:
        return None
    required = _required_fields(op)
    return st.tuples(valid_requests(world, operation, caller=caller), st.sampled_from(required),
                     st.booleans()).map(
        lambda t: ({**{k: v for k, v in t[0].items() if k != t[1]}, **({t[1]: None} if t[2] else {})},
                   "REQUEST.REQUIRED"))


_WRONG_VALUES: tuple[Any, ...] = (7, "seven", True, [7], {"seven": 7}, 1.5)
_ADAPTERS: dict[tuple[str, str], TypeAdapter[Any]] = {}


def _rejects(op: Operation[Any, Any], field: str, value: Any) -> bool:
    key = (op.name, field)
    adapter = _ADAPTERS.get(key)
    if adapter is None:
        annotation = op.request.model_fields[field].annotation
        adapter = TypeAdapter(annotation, config=ConfigDict(strict=True)) if not _is_model(annotation) \
            else TypeAdapter(annotation)
        _ADAPTERS[key] = adapter
    try:
        adapter.validate_python(value, strict=True)
    except ValidationError as exc:
        # Only a type error: a dict given for a nested model may also lack its required fields.
        return all(e["type"] != "missing" for e in exc.errors())
    return False


def _is_model(annotation: Any) -> bool:
    candidates = typing.get_args(annotation) or (annotation,)
    return any(isinstance(c, type) and issubclass(c, BaseModel) for c in candidates)


def _wrong_type(world: World, caller: str, operation: str) -> st.SearchStrategy[Invalid] | None:
    op = OPERATION_TABLE.get(operation)
    if op is None:
        return None
    choices = [(f, v) for f in sorted(op.request.model_fields) for v in _WRONG_VALUES
               if v is not None and _rejects(op, f, v)]
    if not choices:
        return None
    return st.tuples(valid_requests(world, operation, caller=caller), st.sampled_from(choices)).map(
        lambda t: ({**t[0], t[1][0]: t[1][1]}, "REQUEST.TYPE"))


def _unknown_region(world: World, caller: str, operation: str) -> st.SearchStrategy[Invalid] | None:
    op = OPERATION_TABLE.get(operation)
    if op is None or not op.rules or op.rules[0].id != "COMMON.REGION_EXISTS":
        return None
    return st.tuples(valid_requests(world, operation, caller=caller),
                     st.sampled_from(["cn-nowhere-9", "", "CN-NORTH-1", "cn-north-1 "])).map(
        lambda t: ({**t[0], "regionId": t[1]}, "COMMON.REGION_EXISTS"))


_ID_FIELDS = {"instanceId": "i", "imageId": "img", "diskId": "vol", "networkInterfaceId": "port",
              "elasticIpId": "fip"}


def _existence_rule(op: Operation[Any, Any], field: str) -> str | None:
    for r in op.rules:
        if r.phase == Phase.EXISTENCE and r.field == field:
            return r.id
    return None


def _unknown_ids(world: World, caller: str, operation: str) -> st.SearchStrategy[Invalid] | None:
    """A top-level id parameter naming nothing (or a resource of another account): its EXISTENCE rule."""
    op = OPERATION_TABLE.get(operation)
    if op is None:
        return None
    positions = {r.id: n for n, r in enumerate(op.rules)}
    fields = sorted(((f, rule_id) for f in _ID_FIELDS if f in op.request.model_fields
                     for rule_id in [_existence_rule(op, f)] if rule_id is not None),
                    key=lambda fr: positions[fr[1]])
    if not fields:
        return None
    foreign = {
        "instanceId": sorted(i.instance_id for i in world.instances.values() if i.owner != caller),
        "diskId": sorted(d.disk_id for d in world.disks.values() if d.owner != caller),
        "networkInterfaceId": sorted(n.nic_id for n in world.network_interfaces.values() if n.owner != caller),
        "elasticIpId": sorted(e.elastic_ip_id for e in world.elastic_ips.values() if e.owner != caller),
        "imageId": [],
    }

    @st.composite
    def make(draw: Draw) -> Invalid:
        params = draw(valid_requests(world, operation, caller=caller))
        # Break one id whose earlier-checked ids all name the caller's resources.
        allowed = []
        for field, rule_id in fields:
            allowed.append((field, rule_id))
            if not _resolves(world, caller, field, params.get(field)):
                break
        field, rule_id = draw(st.sampled_from(allowed))
        pool = [_ID_FIELDS[field] + UNKNOWN_ID, *foreign[field]]
        params[field] = draw(st.sampled_from(pool))
        return params, rule_id

    return make()


def _resolves(world: World, caller: str, field: str, value: object) -> bool:
    if not isinstance(value, str):
        return False
    if field == "instanceId":
        return world.instance(caller, NORTH, value) is not None
    if field == "diskId":
        return world.disk(caller, NORTH, value) is not None
    if field == "networkInterfaceId":
        return world.network_interface(caller, NORTH, value) is not None
    if field == "elasticIpId":
        return world.elastic_ip(caller, NORTH, value) is not None
    return world.image(caller, NORTH, value) is not None


def invalid_makers(operation: str) -> list[InvalidMaker]:
    """The invalid-request makers for ``operation``: the generic ones and the operation's own."""
    generic: list[InvalidMaker] = [_missing_field, _wrong_type, _unknown_region, _unknown_ids]
    return generic + _INVALID.get(operation, [])


def invalid_requests(world: World, operation: str, *, caller: str | None = None) -> st.SearchStrategy[Invalid]:
    """``(params, rule_id)``: parameters for ``operation`` that break exactly the rule ``rule_id`` against
    ``world`` for ``caller`` (default: the world's default account), so ``execute`` must refuse them with
    that rule. Covers request-shape rules, the unknown region, unknown ids and each operation's own rules
    where ``world`` allows building a violation."""
    who = caller or world.default_account
    options = [s for maker in invalid_makers(operation) for s in [maker(world, who, operation)] if s is not None]
    if not options:
        return st.nothing()
    return st.one_of(options)


# ---- operation-specific invalid requests -----------------------------------------------------------


def _instance_in(world: World, caller: str, operation: str, rule_id: str, *,
                 where: Callable[[Instance], bool], extra: Callable[[Draw, Instance], Params] | None = None,
                 idle: bool = True) -> st.SearchStrategy[Invalid] | None:
    """A request addressed to an instance of the caller chosen by ``where`` (None when there is none, or when
    the operation does not have the rule)."""
    if rule_id not in _rule_ids(operation):
        return None
    candidates = _owned_instances(world, caller, idle=idle, where=where)
    if not candidates:
        return None

    @st.composite
    def make(draw: Draw) -> Invalid:
        inst: Instance = draw(st.sampled_from(candidates))
        params: Params = {"regionId": NORTH, "instanceId": inst.instance_id}
        if extra is not None:
            params.update(extra(draw, inst))
        return params, rule_id

    return make()


def _status_rule(operation: str, rule_id: str, allowed: Sequence[str],
                 extra: Callable[[Draw, World, Instance], Params] | None = None) -> None:
    _TARGETS.setdefault(operation, []).append(rule_id)

    def maker(world: World, caller: str, op: str) -> st.SearchStrategy[Invalid] | None:
        return _instance_in(world, caller, op, rule_id, where=lambda i: i.status not in allowed,
                            extra=(lambda d, i: extra(d, world, i)) if extra is not None else None)

    _INVALID.setdefault(operation, []).append(maker)


def _busy_rule(operation: str, rule_id: str, allowed: Sequence[str] | None = None,
               extra: Callable[[Draw, World, Instance], Params] | None = None) -> None:
    _TARGETS.setdefault(operation, []).append(rule_id)

    def maker(world: World, caller: str, op: str) -> st.SearchStrategy[Invalid] | None:
        return _instance_in(world, caller, op, rule_id, idle=False,
                            where=lambda i: world.busy(i.instance_id) and (allowed is None or i.status in allowed),
                            extra=(lambda d, i: extra(d, world, i)) if extra is not None else None)

    _INVALID.setdefault(operation, []).append(maker)


def _charge_rule(operation: str, rule_id: str, status: str) -> None:
    _TARGETS.setdefault(operation, []).append(rule_id)

    def maker(world: World, caller: str, op: str) -> st.SearchStrategy[Invalid] | None:
        return _instance_in(world, caller, op, rule_id,
                            where=lambda i: i.status == status and i.charge is not None
                            and i.charge.effective_status(world.clock) != "normal")

    _INVALID.setdefault(operation, []).append(maker)


_status_rule("stopInstance", "STOP_INSTANCE.STATUS_RUNNING", ["running"])
_busy_rule("stopInstance", "STOP_INSTANCE.NO_TASK", ["running"])
_status_rule("startInstance", "START_INSTANCE.STATUS_STOPPED", ["stopped"])
_busy_rule("startInstance", "START_INSTANCE.NO_TASK", ["stopped"])
_charge_rule("startInstance", "START_INSTANCE.CHARGE_NORMAL", "stopped")
_status_rule("rebootInstance", "REBOOT_INSTANCE.STATUS_RUNNING", ["running"])
_busy_rule("rebootInstance", "REBOOT_INSTANCE.NO_TASK", ["running"])
_charge_rule("rebootInstance", "REBOOT_INSTANCE.CHARGE_NORMAL", "running")


# ---- mutations of a valid request (PARAMETERS rules, whose precedence no world state can pre-empt) -----

Mutator: TypeAlias = Callable[[Draw, Params], Params]


def _mutation(operation: str, rule_id: str, mutate: Mutator) -> None:
    """A valid request of ``operation`` changed by ``mutate`` so that it breaks ``rule_id``."""
    _TARGETS.setdefault(operation, []).append(rule_id)

    def maker(world: World, caller: str, op: str) -> st.SearchStrategy[Invalid] | None:
        if rule_id not in _rule_ids(op):
            return None

        @st.composite
        def make(draw: Draw) -> Invalid:
            return mutate(draw, dict(draw(valid_requests(world, op, caller=caller)))), rule_id

        return make()

    _INVALID.setdefault(operation, []).append(maker)


def _set(**values: Any) -> Mutator:
    return lambda draw, params: {**params, **{k: draw(st.sampled_from(v)) for k, v in values.items()}}


_BAD_NAMES = ("a" * 33, "名字!", "has space", "", "x" * 200)
_BAD_DESCRIPTIONS = ("d" * 257, "云" * 300)
_BAD_PASSWORDS = ("Sh0rt!", "password", "Ab1!" * 8, "abcdefgh", "Qwert123!xyz")

for _op, _prefix in (("createImage", "CREATE_IMAGE"), ("modifyImageAttribute", "MODIFY_IMAGE_ATTRIBUTE"),
                     ("modifyInstanceAttribute", "MODIFY_INSTANCE_ATTRIBUTE"), ("copyImages", "COPY_IMAGES")):
    _mutation(_op, f"{_prefix}.NAME", _set(name=_BAD_NAMES))
    _mutation(_op, f"{_prefix}.DESCRIPTION", _set(description=_BAD_DESCRIPTIONS))
_mutation("modifyInstancePassword", "MODIFY_INSTANCE_PASSWORD.PASSWORD", _set(password=_BAD_PASSWORDS))
_mutation("modifyInstanceAttribute", "MODIFY_INSTANCE_ATTRIBUTE.HOSTNAME",
          _set(hostname=("-bad-", "a", "x" * 65, "bad..name", "under_score")))
_mutation("attachDisk", "ATTACH_DISK.DEVICE_NAME_FORMAT", _set(deviceName=("sdb", "vda", "vd1", "xvdb", "")))
_mutation("copyImages", "COPY_IMAGES.IDS_COUNT", _set(sourceImageIds=([], [f"img-copy{n:06d}" for n in range(11)])))
_mutation("copyImages", "COPY_IMAGES.IDS_UNIQUE",
          lambda draw, p: {**p, "sourceImageIds": [*p["sourceImageIds"], p["sourceImageIds"][0]]})
_mutation("copyImages", "COPY_IMAGES.DESTINATION_EXISTS", _set(destinationRegion=("cn-nowhere-9", "", "CN-EAST-2")))
_mutation("copyImages", "COPY_IMAGES.OTHER_REGION", _set(destinationRegion=(NORTH,)))
_mutation("describeImages", "DESCRIBE_IMAGES.SOURCE_OR_IDS",
          lambda draw, p: {k: v for k, v in p.items() if k not in ("imageSource", "ids")})
_mutation("describeImages", "DESCRIBE_IMAGES.SOURCE",
          lambda draw, p: {k: v for k, v in {**p, "imageSource": draw(st.sampled_from(["official", "PUBLIC", "x"]))
                                             }.items() if k != "ids"})
for _op, _prefix in (("describeImages", "DESCRIBE_IMAGES"), ("describeInstances", "DESCRIBE_INSTANCES"),
                     ("describeInstanceStatus", "DESCRIBE_INSTANCE_STATUS"),
                     ("describeInstancePrivateIpAddress", "DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS")):
    _mutation(_op, f"{_prefix}.PAGE_NUMBER", _set(pageNumber=(0, -1, -(2**40))))
    _mutation(_op, f"{_prefix}.PAGE_SIZE", _set(pageSize=(0, 9, 101, 10**6)))
for _op, _prefix in (("describeInstances", "DESCRIBE_INSTANCES"),
                     ("describeInstanceStatus", "DESCRIBE_INSTANCE_STATUS"),
                     ("describeInstancePrivateIpAddress", "DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS"),
                     ("describeInstanceTypes", "DESCRIBE_INSTANCE_TYPES"), ("describeQuotas", "DESCRIBE_QUOTAS")):
    _mutation(_op, f"{_prefix}.FILTER_NAME", _set(filters=([{"name": "colour", "values": ["red"]}],
                                                           [{"name": "", "values": ["x"]}])))
    _mutation(_op, f"{_prefix}.FILTER_VALUES", _set(filters=([{"name": "az" if "TYPES" in _prefix else
                                                               "resourceTypes" if "QUOTAS" in _prefix else
                                                               "instanceId", "values": []}],)))
_mutation("describeImages", "DESCRIBE_IMAGES.ROOT_DEVICE_TYPE",
          lambda draw, p: {"regionId": p["regionId"], "imageSource": "public",
                           "rootDeviceType": draw(st.sampled_from(["ssd", "local", "CLOUDDISK"]))})
_mutation("describeImages", "DESCRIBE_IMAGES.STATUS",
          lambda draw, p: {"regionId": p["regionId"], "imageSource": "private",
                           "status": draw(st.sampled_from(["gone", "READY", "available"]))})
_mutation("describeInstanceTypes", "DESCRIBE_INSTANCE_TYPES.SERVICE_NAME", _set(serviceName=("ec2", "", "VM")))
_mutation("describeQuotas", "DESCRIBE_QUOTAS.RESOURCE_TYPE",
          _set(filters=([{"name": "resourceTypes", "values": ["instances"]}],
                        [{"name": "resourceTypes", "values": ["instance", "disk"]}])))
_mutation("describeQuotas", "DESCRIBE_QUOTAS.IMAGE_ID_FOR_SHARE",
          lambda draw, p: {"regionId": p["regionId"],
                           "filters": [{"name": "resourceTypes", "values": ["imageShare"]}]})
_mutation("shareImage", "SHARE_IMAGE.ACCOUNTS_GIVEN", _set(pins=([],)))
_mutation("unShareImage", "UNSHARE_IMAGE.ACCOUNTS_GIVEN", _set(pins=([],)))
_mutation("shareImage", "SHARE_IMAGE.NOT_SELF", lambda draw, p: {**p, "pins": [MAIN, *p.get("pins", [])]})
_mutation("modifyInstanceDiskAttribute", "MODIFY_INSTANCE_DISK_ATTRIBUTE.DISK_ID_UNIQUE",
          lambda draw, p: {**p, "dataDisks": [{"diskId": "vol-same000001", "autoDelete": True},
                                              {"diskId": "vol-same000001", "autoDelete": False}]})
_mutation("modifyInstanceDiskAttribute", "MODIFY_INSTANCE_DISK_ATTRIBUTE.DISK_ID_REQUIRED",
          lambda draw, p: {**p, "dataDisks": [{"autoDelete": True}]})
_mutation("modifyInstanceNetworkAttribute", "MODIFY_INSTANCE_NETWORK_ATTRIBUTE.NIC_ID_UNIQUE",
          lambda draw, p: {**p, "networks": [{"networkInterfaceId": "port-same00001", "autoDelete": True},
                                             {"networkInterfaceId": "port-same00001", "autoDelete": False}]})
_mutation("modifyInstanceNetworkAttribute", "MODIFY_INSTANCE_NETWORK_ATTRIBUTE.NIC_ID_REQUIRED",
          lambda draw, p: {**p, "networks": [{"autoDelete": True}]})


# ---- requests built around a chosen resource (EXISTENCE to STATE rules) -----------------------------

Builder: TypeAlias = Callable[[World, str], "list[Params]"]


def _targeted(operation: str, rule_id: str, build: Builder) -> None:
    """Requests for ``operation`` that break ``rule_id``: ``build`` lists every such request ``world`` allows
    (empty when the world has no suitable resource)."""
    _TARGETS.setdefault(operation, []).append(rule_id)

    def maker(world: World, caller: str, op: str) -> st.SearchStrategy[Invalid] | None:
        if rule_id not in _rule_ids(op):
            return None
        candidates = build(world, caller)
        if not candidates:
            return None
        return st.sampled_from(candidates).map(lambda p: ({"regionId": NORTH, **p}, rule_id))

    _INVALID.setdefault(operation, []).append(maker)


def _idle(world: World, caller: str, statuses: Sequence[str] | None = None,
          where: Callable[[Instance], bool] | None = None) -> list[Instance]:
    return _owned_instances(world, caller, statuses=statuses, where=where)


def _platform_images(world: World, caller: str) -> list[str]:
    return [i.image_id for i in _visible_images(world, caller, NORTH) if i.owner == PLATFORM_OWNER]


for _op, _prefix in (("deleteImage", "DELETE_IMAGE"), ("modifyImageAttribute", "MODIFY_IMAGE_ATTRIBUTE"),
                     ("describeImageMembers", "DESCRIBE_IMAGE_MEMBERS")):
    _targeted(_op, f"{_prefix}.OWN_PRIVATE", lambda w, c: [{"imageId": i} for i in _platform_images(w, c)])
_targeted("unShareImage", "UNSHARE_IMAGE.OWN_PRIVATE",
          lambda w, c: [{"imageId": i, "pins": [SECOND]} for i in _platform_images(w, c)])
_targeted("shareImage", "SHARE_IMAGE.OWN_PRIVATE",
          lambda w, c: [{"imageId": i, "pins": [SECOND]} for i in _platform_images(w, c)])
_targeted("shareImage", "SHARE_IMAGE.ACCOUNTS_EXIST",
          lambda w, c: [{"imageId": i.image_id, "pins": ["nobody-at-all"]} for i in _own_images(w, c)])
_targeted("shareImage", "SHARE_IMAGE.NOT_WHOLE_MACHINE",
          lambda w, c: [{"imageId": i.image_id, "pins": [SECOND]} for i in _own_images(w, c)
                        if i.whole_machine])
_targeted("deleteImage", "DELETE_IMAGE.NOT_SHARED",
          lambda w, c: [{"imageId": i.image_id} for i in _own_images(w, c) if i.shared_with])
_targeted("copyImages", "COPY_IMAGES.IMAGE_EXISTS",
          lambda w, c: [{"sourceImageIds": ["img" + UNKNOWN_ID], "destinationRegion": r} for r in OTHER_REGIONS])
_targeted("copyImages", "COPY_IMAGES.CLOUD_DISK_ONLY",
          lambda w, c: [{"sourceImageIds": [i.image_id], "destinationRegion": "cn-east-2"}
                        for i in _own_images(w, c) if i.root_device_type == "localDisk"])
_targeted("copyImages", "COPY_IMAGES.OWN_PRIVATE",
          lambda w, c: [{"sourceImageIds": [i.image_id], "destinationRegion": "cn-east-2"}
                        for i in _visible_images(w, c, NORTH)
                        if i.owner == PLATFORM_OWNER and i.root_device_type == "cloudDisk"])
_targeted("createImage", "CREATE_IMAGE.STATUS_STOPPED",
          lambda w, c: [{"instanceId": i.instance_id, "name": "img-from-running", "description": ""}
                        for i in _idle(w, c, ["running"])])
_targeted("describeInstanceVncUrl", "DESCRIBE_INSTANCE_VNC_URL.STATUS_RUNNING",
          lambda w, c: [{"instanceId": i.instance_id} for i in _owned_instances(w, c, idle=False)
                        if i.status != "running"])
_targeted("deleteInstance", "DELETE_INSTANCE.PREPAID_EXPIRED",
          lambda w, c: [{"instanceId": i.instance_id} for i in _idle(w, c, ["running", "stopped", "error"])
                        if i.charge is not None and i.charge.mode == "prepaid_by_duration"
                        and i.charge.effective_status(w.clock) == "normal"])
_targeted("associateElasticIp", "ASSOCIATE_ELASTIC_IP.ONE_PER_INSTANCE",
          lambda w, c: [{"instanceId": i.instance_id, "elasticIpId": e.elastic_ip_id}
                        for i in _owned_instances(w, c, idle=False) if _primary_eip(w, i) is not None
                        for e in _by_id(w.elastic_ips) if e.owner == c and e.nic_id is None and e.az == ""])
_targeted("associateElasticIp", "ASSOCIATE_ELASTIC_IP.SAME_AZ",
          lambda w, c: [{"instanceId": i.instance_id, "elasticIpId": e.elastic_ip_id}
                        for i in _owned_instances(w, c, idle=False)
                        for e in _by_id(w.elastic_ips) if e.owner == c and e.az not in ("", i.az)])
_targeted("disassociateElasticIp", "DISASSOCIATE_ELASTIC_IP.BOUND_HERE",
          lambda w, c: [{"instanceId": i.instance_id, "elasticIpId": e.elastic_ip_id}
                        for i in _owned_instances(w, c, idle=False)
                        for e in _by_id(w.elastic_ips) if e.owner == c and e.nic_id != i.primary_nic_id])
_targeted("attachDisk", "ATTACH_DISK.SAME_AZ",
          lambda w, c: [{"instanceId": i.instance_id, "diskId": d.disk_id}
                        for i in _owned_instances(w, c, idle=False) for d in _free_disks(w, c) if d.az != i.az])
_targeted("detachDisk", "DETACH_DISK.DATA_DISK_ONLY",
          lambda w, c: [{"instanceId": i.instance_id, "diskId": i.system_disk.disk_id}
                        for i in _owned_instances(w, c, idle=False) if i.system_disk.disk_id is not None])
_targeted("detachDisk", "DETACH_DISK.ATTACHED_HERE",
          lambda w, c: [{"instanceId": i.instance_id, "diskId": d.disk_id}
                        for i in _idle(w, c, ["running", "stopped"]) for d in _free_disks(w, c)])
_targeted("detachNetworkInterface", "DETACH_NETWORK_INTERFACE.NOT_PRIMARY",
          lambda w, c: [{"instanceId": i.instance_id, "networkInterfaceId": i.primary_nic_id}
                        for i in _owned_instances(w, c, idle=False)])
_targeted("detachNetworkInterface", "DETACH_NETWORK_INTERFACE.ATTACHED_HERE",
          lambda w, c: [{"instanceId": i.instance_id, "networkInterfaceId": n.nic_id}
                        for i in _idle(w, c, ["running", "stopped"]) for n in _free_nics(w, c, None)])
_targeted("attachNetworkInterface", "ATTACH_NETWORK_INTERFACE.SECONDARY_ONLY",
          lambda w, c: [{"instanceId": i.instance_id, "networkInterfaceId": j.primary_nic_id}
                        for i in _owned_instances(w, c, idle=False) for j in _owned_instances(w, c, idle=False)
                        if j.vpc_id == i.vpc_id])
_targeted("attachNetworkInterface", "ATTACH_NETWORK_INTERFACE.SAME_VPC",
          lambda w, c: [{"instanceId": i.instance_id, "networkInterfaceId": n.nic_id}
                        for i in _owned_instances(w, c, idle=False) for n in _free_nics(w, c, None)
                        if n.vpc_id != i.vpc_id])
_targeted("modifyInstanceNetworkAttribute", "MODIFY_INSTANCE_NETWORK_ATTRIBUTE.NOT_PRIMARY",
          lambda w, c: [{"instanceId": i.instance_id,
                         "networks": [{"networkInterfaceId": i.primary_nic_id, "autoDelete": False}]}
                        for i in _owned_instances(w, c, idle=False)])
_targeted("modifyInstanceDiskAttribute", "MODIFY_INSTANCE_DISK_ATTRIBUTE.DATA_DISK_ONLY",
          lambda w, c: [{"instanceId": i.instance_id,
                         "dataDisks": [{"diskId": i.system_disk.disk_id, "autoDelete": False}]}
                        for i in _owned_instances(w, c, idle=False) if i.system_disk.disk_id is not None])
_targeted("modifyInstanceDiskAttribute", "MODIFY_INSTANCE_DISK_ATTRIBUTE.NOT_SHARED",
          lambda w, c: [{"instanceId": i.instance_id, "dataDisks": [{"diskId": dd.disk_id, "autoDelete": False}]}
                        for i in _owned_instances(w, c, idle=False) for dd in i.data_disks
                        if dd.disk_id in w.disks and w.disks[dd.disk_id].multi_attachable
                        and w.disks[dd.disk_id].charge.mode == "postpaid_by_duration"])


# ---- createInstances, rebuildInstance, resizeInstance -------------------------------------------------


def _normal_spec(world: World, caller: str, *, image_id: str = "img-centos7cld", itype: str = "g.n2.medium",
                 size: int = 40) -> Params | None:
    """A normal-mode createInstances request in the caller's first cn-north-1a subnet."""
    subnets = sorted(x.subnet_id for x in world.subnets.values()
                     if x.owner == caller and x.region == NORTH and x.az == "cn-north-1a")
    if not subnets:
        return None
    image = world.images.get(image_id)
    system: Params = {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": size}}
    if image is not None and image.root_device_type == "localDisk":
        system = {"diskCategory": "local"}
    return {"regionId": NORTH, "instanceSpec": {
        "az": "cn-north-1a", "instanceType": itype, "imageId": image_id, "name": "web-node",
        "primaryNetworkInterface": {"networkInterface": {"subnetId": subnets[0]}}, "systemDisk": system}}


def _create_case(rule_id: str, change: Callable[[World, str, Params], Params | None],
                 **spec: Any) -> None:
    def build(world: World, caller: str) -> list[Params]:
        base = _normal_spec(world, caller, **spec)
        changed = change(world, caller, base) if base is not None else None
        return [changed] if changed is not None else []

    _targeted("createInstances", rule_id, build)


def _spec(**values: Any) -> Callable[[World, str, Params], Params]:
    def change(world: World, caller: str, params: Params) -> Params:
        return {**params, "instanceSpec": {**params["instanceSpec"], **values}}

    return change


def _top(**values: Any) -> Callable[[World, str, Params], Params]:
    return lambda world, caller, params: {**params, **values}


def _nic(**values: Any) -> Callable[[World, str, Params], Params]:
    def change(world: World, caller: str, params: Params) -> Params:
        spec = params["instanceSpec"]
        nic = {**spec["primaryNetworkInterface"]["networkInterface"], **values}
        return {**params, "instanceSpec": {**spec, "primaryNetworkInterface": {"networkInterface": nic}}}

    return change


def _data_disks(disks: list[tuple[str, int]], category: str = "cloud") -> Callable[[World, str, Params], Params]:
    return _spec(dataDisks=[{"diskCategory": category, "cloudDiskSpec": {"diskType": t, "diskSizeGB": g}}
                            for t, g in disks])


def _other_vpc_group(world: World, caller: str, params: Params) -> Params | None:
    subnet = world.subnets[params["instanceSpec"]["primaryNetworkInterface"]["networkInterface"]["subnetId"]]
    others = sorted(g.security_group_id for g in world.security_groups.values()
                    if g.owner == caller and g.vpc_id != subnet.vpc_id and g.region == NORTH)
    return _nic(securityGroups=others[:1])(world, caller, params) if others else None


_create_case("CREATE_INSTANCES.MAX_COUNT", _top(maxCount=101))
_create_case("CREATE_INSTANCES.CLIENT_TOKEN_LENGTH", _top(clientToken="t" * 65))
_create_case("CREATE_INSTANCES.DESCRIPTION", _spec(description="d" * 257))
_create_case("CREATE_INSTANCES.PASSWORD", _spec(password="password"))
_create_case("CREATE_INSTANCES.AZ_EXISTS", _spec(az="cn-north-1z"))
_create_case("CREATE_INSTANCES.SECURITY_GROUP_COUNT",
             _nic(securityGroups=[f"sg-main0000{n:02d}" for n in range(1, 7)]))
_create_case("CREATE_INSTANCES.EIP_BANDWIDTH", _spec(elasticIp={"bandwidthMbps": 101, "provider": "bgp"}))
_create_case("CREATE_INSTANCES.CLOUD_SYSTEM_DISK_SIZE", lambda w, c, p: p, size=501)
_create_case("CREATE_INSTANCES.DATA_DISK_TYPE", _data_disks([("hdd", 100)]))
_create_case("CREATE_INSTANCES.DATA_DISK_SIZE_SSD", _data_disks([("ssd", 1010)]))
_create_case("CREATE_INSTANCES.DATA_DISK_SIZE_HDD", _data_disks([("premium-hdd", 3010)]))
_create_case("CREATE_INSTANCES.DATA_DISK_COUNT_CLOUD", _data_disks([("ssd", 20)] * 8))
_create_case("CREATE_INSTANCES.IMAGE_EXISTS", lambda w, c, p: p, image_id="img" + UNKNOWN_ID)
_create_case("CREATE_INSTANCES.TYPE_EXISTS", lambda w, c, p: p, itype="x.nope.large")
_create_case("CREATE_INSTANCES.SUBNET_EXISTS", _nic(subnetId="subnet" + UNKNOWN_ID))
_create_case("CREATE_INSTANCES.IMAGE_SUPPORTS_TYPE", lambda w, c, p: p, image_id="img-ubuntu18cd",
             itype="g.n1.medium")
_create_case("CREATE_INSTANCES.WINDOWS_CPU", lambda w, c, p: p, image_id="img-win2012r2c", itype="g.n2.24xlarge")
_create_case("CREATE_INSTANCES.SQL_SERVER_MEMORY", lambda w, c, p: p, image_id="img-win12sql14",
             itype="g.n2.micro", size=60)
_create_case("CREATE_INSTANCES.SYSTEM_DISK_MATCHES_IMAGE",
             _spec(systemDisk={"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}}),
             image_id="img-centos7lcl")
_create_case("CREATE_INSTANCES.SECURITY_GROUP_VPC", _other_vpc_group)
_create_case("CREATE_INSTANCES.TYPE_OFFLINE", lambda w, c, p: p, itype="g.n1.small")
_create_case("CREATE_INSTANCES.TYPE_SOLD_OUT", lambda w, c, p: p, itype="g.n2.4xlarge")

_mutation("rebuildInstance", "REBUILD_INSTANCE.PASSWORD", _set(password=_BAD_PASSWORDS))
_mutation("resizeInstance", "RESIZE_INSTANCE.TYPE_EXISTS", _set(instanceType=("x.nope.large", "", "G.N2.LARGE")))
_targeted("rebuildInstance", "REBUILD_INSTANCE.STATUS_STOPPED",
          lambda w, c: [{"instanceId": i.instance_id, "password": "Ab2!Cd4#"} for i in _idle(w, c, ["running"])
                        if i.image_id in w.images])
_targeted("rebuildInstance", "REBUILD_INSTANCE.ROOT_DEVICE_TYPE",
          lambda w, c: [{"instanceId": i.instance_id, "password": "Ab2!Cd4#", "imageId": "img-centos7lcl"}
                        for i in _owned_instances(w, c, idle=False) if i.system_disk.category == "cloud"])
_targeted("resizeInstance", "RESIZE_INSTANCE.SAME_TYPE",
          lambda w, c: [{"instanceId": i.instance_id, "instanceType": i.instance_type}
                        for i in _owned_instances(w, c, idle=False)])
_targeted("resizeInstance", "RESIZE_INSTANCE.STATUS_STOPPED",
          lambda w, c: [{"instanceId": i.instance_id, "instanceType": t} for i in _idle(w, c, ["running"])
                        for t in _resize_targets(w, i)[:2]])


# ==== request models ===================================================================================


def requests_for(operation: str, world: World | None = None) -> st.SearchStrategy[Any]:
    """Parsed request models of ``operation`` built from ``valid_requests`` against ``world`` (default: a
    drawn ``worlds()``). This is the strategy registered for the operation's request model, so
    ``st.from_type(StopInstanceRequest)`` gives realistic, well-formed requests."""
    op = OPERATION_TABLE[operation]
    source = valid_requests(world, operation) if world is not None else \
        worlds(max_instances=3).flatmap(lambda w: valid_requests(w, operation))
    return source.map(op.parse).filter(lambda parsed: not isinstance(parsed, list))


def _register_request_models() -> None:
    for name, op in sorted(OPERATION_TABLE.items()):
        st.register_type_strategy(op.request, requests_for(name))


_register_request_models()
