"""valid_requests: one builder per operation drawing wire parameters that should succeed against a world."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeAlias

from hypothesis import strategies as st

from vmrules.defaults import NORTH, SECOND
from vmrules.model import (
    PLATFORM_OWNER,
    Image,
    Instance,
)
from vmrules.testing.strategies.common import (
    DATA_DISK_MAX,
    DATA_DISK_TYPES,
    DEVICE_NAMES,
    OTHER_REGIONS,
    QUOTA_TYPES,
    UNKNOWN_ID,
    Draw,
    Params,
    _charge_normal,
    _data_disk_cap,
    _free_disks,
    _free_nics,
    _instance_id,
    _maybe,
    _own_images,
    _owned_instances,
    _paging,
    _pick_image,
    _pick_instance,
    _primary_eip,
    _type_fits_image,
    _types_for,
    _visible_images,
)
from vmrules.testing.strategies.texts import descriptions, names, valid_passwords
from vmrules.world import World

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
        if size == image.system_disk_size_gb:  # the image's own size is the default: left out (no draw more)
            del spec["systemDisk"]["cloudDiskSpec"]["diskSizeGB"]
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
