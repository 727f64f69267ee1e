"""What the request and world strategies share: constants, type aliases, callers, lookups of what a caller
owns, and which instance types suit an image."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeAlias, TypeVar

from hypothesis import strategies as st

from vmrules.defaults import NORTH
from vmrules.model import (
    Disk,
    Image,
    Instance,
    InstanceType,
    NetworkInterface,
)
from vmrules.operations import OPERATION_TABLE
from vmrules.world import World

Params: TypeAlias = dict[str, Any]
Draw: TypeAlias = Callable[[st.SearchStrategy[Any]], Any]

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
