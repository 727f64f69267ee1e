"""Operation-specific invalid requests: status, task and billing gates, mutations of a valid request, and
requests built around a chosen resource. Importing it fills the registry of ``invalid``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

from hypothesis import strategies as st

from vmrules.defaults import MAIN, NORTH, SECOND
from vmrules.model import (
    PLATFORM_OWNER,
    Instance,
)
from vmrules.testing.strategies.common import (
    OTHER_REGIONS,
    UNKNOWN_ID,
    Draw,
    Params,
    _by_id,
    _free_disks,
    _free_nics,
    _own_images,
    _owned_instances,
    _primary_eip,
    _visible_images,
)
from vmrules.testing.strategies.invalid import _TARGETS, Invalid, _register, _rule_ids
from vmrules.testing.strategies.valid import _resize_targets, valid_requests
from vmrules.world import World

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

    _register(operation, rule_id, maker)


def _busy_rule(operation: str, rule_id: str, allowed: Sequence[str] | None = None,
               extra: Callable[[Draw, World, Instance], Params] | None = None) -> None:
    _TARGETS.setdefault(operation, []).append(rule_id)

    def maker(world: World, caller: str, op: str) -> st.SearchStrategy[Invalid] | None:
        return _instance_in(world, caller, op, rule_id, idle=False,
                            where=lambda i: world.busy(i.instance_id) and (allowed is None or i.status in allowed),
                            extra=(lambda d, i: extra(d, world, i)) if extra is not None else None)

    _register(operation, rule_id, maker)


def _charge_rule(operation: str, rule_id: str, status: str) -> None:
    _TARGETS.setdefault(operation, []).append(rule_id)

    def maker(world: World, caller: str, op: str) -> st.SearchStrategy[Invalid] | None:
        return _instance_in(world, caller, op, rule_id,
                            where=lambda i: i.status == status and i.charge is not None
                            and i.charge.effective_status(world.clock) != "normal")

    _register(operation, rule_id, maker)


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

    _register(operation, rule_id, maker)


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

    _register(operation, rule_id, maker)


def _idle(world: World, caller: str, statuses: Sequence[str] | None = None,
          where: Callable[[Instance], bool] | None = None) -> list[Instance]:
    return _owned_instances(world, caller, statuses=statuses, where=where)


def _platform_images(world: World, caller: str) -> list[str]:
    return [i.image_id for i in _visible_images(world, caller, NORTH) if i.owner == PLATFORM_OWNER]


def _someone_else(world: World, caller: str) -> str:
    """An account other than the caller to share with (so SHARE_IMAGE.NOT_SELF holds whoever calls)."""
    return next((pin for pin in (SECOND, MAIN, *sorted(world.accounts)) if pin != caller and pin in world.accounts),
                SECOND)


# the caller itself among the accounts (PARAMETERS: before the image is looked up); the caller's own image when
# it has one, so that nothing else is wrong with the request
_targeted("shareImage", "SHARE_IMAGE.NOT_SELF",
          lambda w, c: [{"imageId": i, "pins": [c]}
                        for i in [im.image_id for im in _own_images(w, c)] or _platform_images(w, c)[:1]])


for _op, _prefix in (("deleteImage", "DELETE_IMAGE"), ("modifyImageAttribute", "MODIFY_IMAGE_ATTRIBUTE"),
                     ("describeImageMembers", "DESCRIBE_IMAGE_MEMBERS")):
    _targeted(_op, f"{_prefix}.OWN_PRIVATE", lambda w, c: [{"imageId": i} for i in _platform_images(w, c)])
_targeted("unShareImage", "UNSHARE_IMAGE.OWN_PRIVATE",
          lambda w, c: [{"imageId": i, "pins": [_someone_else(w, c)]} for i in _platform_images(w, c)])
_targeted("shareImage", "SHARE_IMAGE.OWN_PRIVATE",
          lambda w, c: [{"imageId": i, "pins": [_someone_else(w, c)]} for i in _platform_images(w, c)])
_targeted("shareImage", "SHARE_IMAGE.ACCOUNTS_EXIST",
          lambda w, c: [{"imageId": i.image_id, "pins": ["nobody-at-all"]} for i in _own_images(w, c)])
_targeted("shareImage", "SHARE_IMAGE.NOT_WHOLE_MACHINE",
          lambda w, c: [{"imageId": i.image_id, "pins": [_someone_else(w, c)]} for i in _own_images(w, c)
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


# The other request-only createInstances rules (breaking one needs no state, only a field the generated valid
# requests leave out); each case breaks its rule and nothing before it in precedence.
_PREPAID = {"chargeMode": "prepaid_by_duration", "chargeUnit": "month", "chargeDuration": 1}
_LONG_WINDOWS_HOSTNAME = "winhost-0123456789"  # a good Linux hostname, 3 characters over Windows' 15


def _replaced_nic(**values: Any) -> Callable[[World, str, Params], Params]:
    """``primaryNetworkInterface`` itself (not its ``networkInterface``) given ``values``."""
    def change(world: World, caller: str, params: Params) -> Params:
        spec = params["instanceSpec"]
        return {**params, "instanceSpec": {**spec, "primaryNetworkInterface": {**spec["primaryNetworkInterface"],
                                                                                 **values}}}

    return change


def _subnet_of(params: Params) -> str:
    return str(params["instanceSpec"]["primaryNetworkInterface"]["networkInterface"]["subnetId"])


def _network_address(world: World, caller: str, params: Params) -> Params:
    cidr = world.subnets[_subnet_of(params)].cidr
    return _nic(primaryIpAddress=cidr.split("/")[0])(world, caller, params)


def _address_in_use(world: World, caller: str, params: Params) -> Params | None:
    subnet_id = _subnet_of(params)
    used = sorted(n.private_ip for n in world.network_interfaces.values() if n.subnet_id == subnet_id)
    return _nic(primaryIpAddress=used[0])(world, caller, params) if used else None


def _one_address_two_instances(world: World, caller: str, params: Params) -> Params:
    cidr = world.subnets[_subnet_of(params)].cidr
    prefix = cidr.split("/")[0].rsplit(".", 1)[0]
    return {**_nic(primaryIpAddress=f"{prefix}.200")(world, caller, params), "maxCount": 2}


def _small_from_snapshot(world: World, caller: str, params: Params) -> Params | None:
    snapshots = sorted((s for s in world.snapshots.values() if s.owner == caller and s.region == NORTH
                        and s.disk_type == "ssd" and s.size_gb > 20), key=lambda s: s.snapshot_id)
    if not snapshots:
        return None
    return _spec(dataDisks=[{"diskCategory": "cloud", "cloudDiskSpec": {
        "diskType": "ssd", "diskSizeGB": 20, "snapshotId": snapshots[0].snapshot_id}}])(world, caller, params)


def _template_without_az(world: World, caller: str, params: Params) -> Params | None:
    templates = sorted(t.template_id for t in world.templates.values() if t.owner == caller and t.region == NORTH)
    if not templates:
        return None
    return {"regionId": NORTH, "instanceSpec": {"instanceTemplateId": templates[0], "name": "from-template"}}


def _az_outside_group(world: World, caller: str, params: Params) -> Params | None:
    """An availability group of the caller's with an AZ of its region it does not span, and that AZ."""
    for ag in sorted(world.availability_groups.values(), key=lambda g: g.ag_id):
        region = world.regions.get(ag.region)
        outside = [az for az in region.azs if az not in ag.azs] if ag.owner == caller and region else []
        if outside:
            return {"regionId": ag.region, "instanceSpec": {"agId": ag.ag_id, "az": outside[0], "name": "ag-node"}}
    return None


_create_case("CREATE_INSTANCES.SUBNET_REQUIRED", _replaced_nic(networkInterface={}))
_create_case("CREATE_INSTANCES.TEMPLATE_REQUIRED", _template_without_az)
_create_case("CREATE_INSTANCES.AG_EXISTS",
             lambda w, c, p: {"regionId": NORTH, "instanceSpec": {"agId": "ag" + UNKNOWN_ID, "name": "ag-node"}})
_create_case("CREATE_INSTANCES.AG_AZ", _az_outside_group)
_create_case("CREATE_INSTANCES.ORDERED_NAME_RANGE", lambda w, c, p: {**_spec(name="node[9999]")(w, c, p),
                                                                       "maxCount": 2})
_create_case("CREATE_INSTANCES.PRIMARY_IP_SINGLE", _one_address_two_instances)
_create_case("CREATE_INSTANCES.PRIMARY_IP_FORMAT", _nic(primaryIpAddress="10.0.1.256"))
_create_case("CREATE_INSTANCES.PRIMARY_IP_IN_SUBNET", _network_address)
_create_case("CREATE_INSTANCES.PRIMARY_IP_FREE", _address_in_use)
_create_case("CREATE_INSTANCES.NIC_AUTO_DELETE", _replaced_nic(autoDelete=False))
_create_case("CREATE_INSTANCES.SANITY_CHECK", _nic(sanityCheck=2))
_create_case("CREATE_INSTANCES.NIC_NAME", _nic(networkInterfaceName="n" * 33))
_create_case("CREATE_INSTANCES.NIC_DESCRIPTION", _nic(description="d" * 257))
_create_case("CREATE_INSTANCES.SECURITY_GROUPS_EXIST", _nic(securityGroups=["sg" + UNKNOWN_ID]))
_create_case("CREATE_INSTANCES.EIP_CHARGE_MODE",
             _spec(elasticIp={"bandwidthMbps": 1, "provider": "bgp", "chargeSpec": {"chargeMode": "by_the_hour"}}))
_create_case("CREATE_INSTANCES.CHARGE_MODE", _spec(charge={"chargeMode": "postpaid_by_usage"}))
_create_case("CREATE_INSTANCES.CHARGE_DURATION", _spec(charge={**_PREPAID, "chargeDuration": 10}))
_create_case("CREATE_INSTANCES.LOCAL_SYSTEM_DISK_SIZE",
             _spec(systemDisk={"diskCategory": "local", "cloudDiskSpec": {"diskSizeGB": 40}}),
             image_id="img-centos7lcl")
_create_case("CREATE_INSTANCES.LOCAL_SYSTEM_DISK_AUTO_DELETE",
             _spec(systemDisk={"diskCategory": "local", "autoDelete": False}), image_id="img-centos7lcl")
_create_case("CREATE_INSTANCES.CLOUD_SYSTEM_DISK_AUTO_DELETE", _spec(charge=_PREPAID, systemDisk={
    "diskCategory": "cloud", "autoDelete": True, "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}}))
_create_case("CREATE_INSTANCES.DATA_DISK_CATEGORY", _spec(dataDisks=[{"diskCategory": "local"}]))
_create_case("CREATE_INSTANCES.DATA_DISK_DEVICE_NAME", _spec(dataDisks=[{
    "diskCategory": "cloud", "deviceName": "sdb", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 20}}]))
_create_case("CREATE_INSTANCES.DATA_DISK_AUTO_DELETE", _spec(charge=_PREPAID, dataDisks=[{
    "diskCategory": "cloud", "autoDelete": True, "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 20}}]))
_create_case("CREATE_INSTANCES.DATA_DISK_SNAPSHOT_EXISTS", _spec(dataDisks=[{
    "diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "snapshotId": "snapshot" + UNKNOWN_ID}}]))
_create_case("CREATE_INSTANCES.DATA_DISK_SNAPSHOT_SIZE", _small_from_snapshot)
_create_case("CREATE_INSTANCES.WINDOWS_HOSTNAME", _spec(hostname=_LONG_WINDOWS_HOSTNAME), image_id="img-win2012r2c")


def _own_key(world: World, caller: str, params: Params) -> Params | None:
    keys = sorted(k.key_name for k in world.keypairs.values() if k.owner == caller and k.region == NORTH)
    return _spec(keyNames=keys[:1])(world, caller, params) if keys else None


def _below_the_images_disk(world: World, caller: str, params: Params) -> Params | None:
    """The image with the largest system disk the caller may use, over a system disk of the smallest size."""
    images = sorted((i for i in world.images.values() if i.region == NORTH and i.status == "ready"
                     and i.root_device_type == "cloudDisk" and i.system_disk_size_gb > 40
                     and (i.owner == caller or caller in i.shared_with or i.source == "public")),
                    key=lambda i: (-i.system_disk_size_gb, i.image_id))
    if not images:
        return None
    return _spec(imageId=images[0].image_id)(world, caller, params)


_create_case("CREATE_INSTANCES.KEY_LINUX_ONLY", _own_key, image_id="img-win2012r2c")
_create_case("CREATE_INSTANCES.SYSTEM_DISK_IMAGE_SIZE", _below_the_images_disk)


def _stopped_first(world: World, caller: str) -> list[Instance]:
    return sorted(_owned_instances(world, caller, idle=False),
                  key=lambda i: (i.status != "stopped" or world.busy(i.instance_id), i.instance_id))


def _windows_targets(world: World, caller: str) -> list[Instance]:
    """Instances a Windows rebuild may be aimed at without turning a stopped Linux instance into a Windows one
    (its allowed neighbour would, and the resize setups need Linux instances): stopped ones already on Windows,
    else running ones (their neighbour is refused by the status rule). Only a cloud system disk of at most 40 GB
    on a type of at most 64 CPUs, so that the Windows image fits."""
    def on_windows(inst: Instance) -> bool:
        image = world.images.get(inst.image_id)
        return image is not None and image.os_type == "windows"

    return [i for i in _stopped_first(world, caller)
            if (on_windows(i) or i.status == "running")
            for disk in [world.disks.get(i.system_disk.disk_id or "")] for itype in [world.instance_types.get(
                i.instance_type)]
            if i.system_disk.category == "cloud" and disk is not None and disk.size_gb <= 40
            and itype is not None and itype.cpu <= 64]


_targeted("rebuildInstance", "REBUILD_INSTANCE.KEYPAIR_EXISTS",
          lambda w, c: [{"instanceId": i.instance_id, "keyNames": ["no-such-key"]}
                        for i in _stopped_first(w, c)][:4])
_targeted("rebuildInstance", "REBUILD_INSTANCE.KEYPAIR_LINUX_ONLY",
          lambda w, c: [{"instanceId": i.instance_id, "imageId": "img-win2012r2c", "keyNames": [k]}
                        for i in _windows_targets(w, c)
                        for k in sorted(k.key_name for k in w.keypairs.values() if k.owner == c)[:1]][:4])
_targeted("rebuildInstance", "REBUILD_INSTANCE.WINDOWS_HOSTNAME",
          lambda w, c: [{"instanceId": i.instance_id, "imageId": "img-win2012r2c", "hostname": _LONG_WINDOWS_HOSTNAME}
                        for i in _windows_targets(w, c)][:4])
# an instance of the caller's (TYPE_EXISTS is looked up after INSTANCE.EXISTS), whatever its status
_targeted("resizeInstance", "RESIZE_INSTANCE.TYPE_EXISTS",
          lambda w, c: [{"instanceId": i.instance_id, "instanceType": t}
                        for i in _owned_instances(w, c, idle=False)[:4] for t in ("x.nope.large", "", "G.N2.LARGE")])
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
