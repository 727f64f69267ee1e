"""Network interfaces and elastic IPs of an instance: attachNetworkInterface, detachNetworkInterface,
modifyInstanceNetworkAttribute, associateElasticIp, disassociateElasticIp.

All five are synchronous (fact sheet §2.1: the instance's status does not change). An attached secondary
interface takes the lowest free device index in 2..8 (1 is the primary). An elastic IP is bound to the
primary private IP of the instance's primary interface; the instance shows the elastic IP of that interface.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from operator import attrgetter
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from vmrules.effects import default, effect
from vmrules.model import ElasticIp, Instance, NetworkInterface
from vmrules.operation import Operation
from vmrules.operations.common import (
    Completion,
    InstanceAndCtx,
    InstanceCtx,
    InstanceRequest,
    exists_rule,
    instance_and,
    instance_exists,
    instance_idle,
    instance_status_in,
    item_ids_exist,
    item_ids_required,
    item_ids_unique,
    region_exists,
)
from vmrules.rules import Finding, Findings, Phase, Rule, inferred, rule, sdk_doc, seed
from vmrules.world import World

JSON = dict[str, Any]

# Device indexes of attached secondary interfaces (0: not attached, 1: the primary).
SECONDARY_DEVICE_INDEXES = range(2, 9)


def nic_count(inst: Instance) -> int:
    """Interfaces on the instance, the primary included (what an instance type's nicLimit counts)."""
    return 1 + len(inst.secondary_nic_ids)


def _free_device_index(world: World, inst: Instance) -> int:
    used = set()
    for nic_id in inst.secondary_nic_ids:
        nic = world.network_interfaces.get(nic_id)
        if nic is not None:
            used.add(nic.device_index)
    for index in SECONDARY_DEVICE_INDEXES:
        if index not in used:
            return index
    return SECONDARY_DEVICE_INDEXES[-1]  # unreachable: ATTACH_NETWORK_INTERFACE.DEVICE_INDEX_FREE


# ---- interface operations: request, context, shared rule ---------------------------------------------


class NicRequest(InstanceRequest):
    """An instance operation naming one network interface."""

    networkInterfaceId: str


NR = TypeVar("NR", bound=NicRequest)


class NicCtx(InstanceAndCtx[NR, NetworkInterface]):
    """``nic`` is None when the caller cannot see the interface."""

    __slots__ = ()

    @property
    def nic(self) -> NetworkInterface | None:
        return self.other


nic_context, nic_exists = instance_and(
    NicCtx[Any], World.network_interface, "NETWORK_INTERFACE.EXISTS", "network interface", "networkInterfaceId",
    inferred("an interface of another account or region is not found, so its existence does not leak"))


NIC_GATE_QUOTE = "云主机状态必须为<b>running</b>或<b>stopped</b>状态，并且没有正在进行中的任务才可操作。"


# ---- attachNetworkInterface -------------------------------------------------------------------------


class AttachNetworkInterfaceRequest(NicRequest):
    autoDelete: bool | None = None


@rule(
    "ATTACH_NETWORK_INTERFACE.SECONDARY_ONLY",
    phase=Phase.COMPATIBILITY,
    statement="Only a secondary interface can be attached; a primary interface belongs to its instance.",
    source=sdk_doc("attachNetworkInterface: 实例中的主网卡是不可以解绑和绑定的，绑定弹性网卡只支持绑定辅助网卡"),
    field="networkInterfaceId",
)
def attach_secondary_only(ctx: NicCtx[Any]) -> Findings:
    nic = ctx.nic
    if nic is None or nic.role != "Primary":
        return None
    return Finding(f"network interface {nic.nic_id} is a primary interface; only secondary interfaces can be "
                   "attached")


@rule(
    "ATTACH_NETWORK_INTERFACE.SAME_VPC",
    phase=Phase.COMPATIBILITY,
    statement="The interface is in the instance's VPC.",
    source=seed("弹性网卡与云主机必须在相同vpc下。"),
    field="networkInterfaceId",
)
def attach_same_vpc(ctx: NicCtx[Any]) -> Findings:
    inst, nic = ctx.instance, ctx.nic
    if inst is None or nic is None or nic.vpc_id == inst.vpc_id:
        return None
    return Finding(f"network interface {nic.nic_id} is in VPC {nic.vpc_id} but instance {inst.instance_id} is in "
                   f"VPC {inst.vpc_id}")


@rule(
    "ATTACH_NETWORK_INTERFACE.ELASTIC_IP_AZ",
    phase=Phase.COMPATIBILITY,
    statement="An elastic IP on the interface is in the instance's availability zone or is all-AZ.",
    source=seed("弹性网卡上如果绑定了公网IP，那么公网IP所在az需要与云主机的az保持一致，或者公网IP属于全可用区，才可挂载。"),
    field="networkInterfaceId",
)
def attach_elastic_ip_az(ctx: NicCtx[Any]) -> Findings:
    inst, nic = ctx.instance, ctx.nic
    if inst is None or nic is None or nic.elastic_ip_id is None:
        return None
    eip = ctx.world.elastic_ips.get(nic.elastic_ip_id)
    if eip is None or eip.az in ("", inst.az):
        return None
    return Finding(f"network interface {nic.nic_id} carries elastic IP {eip.elastic_ip_id} of {eip.az}; instance "
                   f"{inst.instance_id} is in {inst.az} (the elastic IP must be in the same zone or all-AZ)")


@rule(
    "ATTACH_NETWORK_INTERFACE.NOT_ATTACHED",
    phase=Phase.STATE,
    statement="The interface is not attached to any instance.",
    source=inferred("an interface serves one instance at a time"),
    field="networkInterfaceId",
)
def attach_not_attached(ctx: NicCtx[Any]) -> Findings:
    nic = ctx.nic
    if nic is None or nic.instance_id is None or nic.role == "Primary":
        return None
    return Finding(f"network interface {nic.nic_id} is already attached to instance {nic.instance_id}")


@rule(
    "ATTACH_NETWORK_INTERFACE.NIC_LIMIT",
    phase=Phase.STATE,
    statement="The instance's interfaces, the primary included, stay within its instance type's nicLimit.",
    source=seed("云主机挂载弹性网卡的数量，不能超过实例规格的限制。"),
    field="instanceId",
)
def attach_nic_limit(ctx: NicCtx[Any]) -> Findings:
    inst = ctx.instance
    if inst is None:
        return None
    itype = ctx.world.instance_types.get(inst.instance_type)
    if itype is None or nic_count(inst) < itype.nic_limit:
        return None
    return Finding(f"instance {inst.instance_id} has {nic_count(inst)} network interfaces; instance type "
                   f"{itype.instance_type} allows at most {itype.nic_limit} (the primary included)")


@rule(
    "ATTACH_NETWORK_INTERFACE.DEVICE_INDEX_FREE",
    phase=Phase.STATE,
    statement="An instance has at most 7 secondary interfaces (device indexes 2 to 8).",
    source=inferred("device index 1 is the primary interface (SDK: 对于主网卡默认Index为1，辅助网卡自动分配。); "
                    "attached "
                    "secondary interfaces take 2 to 8"),
    field="instanceId",
)
def attach_device_index_free(ctx: NicCtx[Any]) -> Findings:
    inst = ctx.instance
    if inst is None or len(inst.secondary_nic_ids) < len(SECONDARY_DEVICE_INDEXES):
        return None
    return Finding(f"instance {inst.instance_id} has {len(inst.secondary_nic_ids)} secondary interfaces; device "
                   "indexes 2 to 8 allow at most 7")


def _put_attachment(world: World, inst: Instance, nic: NetworkInterface) -> World:
    """The instance and the interface as given; an elastic IP on the interface follows it onto (or off) the
    instance (``nic.instance_id``)."""
    world = world.with_instance(inst).with_interface(nic)
    eip = world.elastic_ips.get(nic.elastic_ip_id) if nic.elastic_ip_id else None
    if eip is not None:
        world = world.evolve(elastic_ips=world.elastic_ips.set(eip.elastic_ip_id,
                                                               replace(eip, instance_id=nic.instance_id)))
    return world


# effect: ATTACH_NETWORK_INTERFACE.ATTACHES, ATTACH_NETWORK_INTERFACE.AUTO_DELETE_DEFAULT
def _attach_nic(ctx: NicCtx[AttachNetworkInterfaceRequest]) -> tuple[World, JSON]:
    inst, nic = ctx.instance, ctx.nic
    assert inst is not None and nic is not None  # rules guarantee them
    world = ctx.world
    nic = replace(nic, instance_id=inst.instance_id, device_index=_free_device_index(world, inst),
                  auto_delete=bool(ctx.req.autoDelete))
    inst = replace(inst, secondary_nic_ids=(*inst.secondary_nic_ids, nic.nic_id))
    return _put_attachment(world, inst, nic), {}


ATTACHES_NIC = effect(
    "ATTACH_NETWORK_INTERFACE.ATTACHES", "change",
    "The interface is attached at once, at the lowest device index from 2 that none of the instance's secondary "
    "interfaces holds (the request names no deviceIndex).",
    seed("云主机挂载一块弹性网卡。"),
)
NIC_AUTO_DELETE_DEFAULT = default(
    "ATTACH_NETWORK_INTERFACE.AUTO_DELETE_DEFAULT", "autoDelete", "false",
    "Without autoDelete the interface is kept (detached) when the instance is deleted.",
    sdk_doc("attachNetworkInterface autoDelete: 随主机自动删除，默认为False"),
)


ATTACH_NETWORK_INTERFACE = Operation[AttachNetworkInterfaceRequest, NicCtx[AttachNetworkInterfaceRequest]](
    name="attachNetworkInterface",
    method="POST",
    path="/regions/{regionId}/instances/{instanceId}:attachNetworkInterface",
    summary="云主机挂载一块弹性网卡。",
    request=AttachNetworkInterfaceRequest,
    context=nic_context,
    rules=(
        region_exists,
        instance_exists,
        nic_exists,
        attach_secondary_only,
        attach_same_vpc,
        attach_elastic_ip_az,
        instance_status_in("ATTACH_NETWORK_INTERFACE.STATUS_RUNNING_OR_STOPPED", ["running", "stopped"],
                           NIC_GATE_QUOTE),
        instance_idle("ATTACH_NETWORK_INTERFACE.NO_TASK", NIC_GATE_QUOTE),
        attach_not_attached,
        attach_nic_limit,
        attach_device_index_free,
    ),
    apply=_attach_nic,
    effects=(ATTACHES_NIC, NIC_AUTO_DELETE_DEFAULT),
)


# ---- detachNetworkInterface -------------------------------------------------------------------------


class DetachNetworkInterfaceRequest(NicRequest):
    pass


@rule(
    "DETACH_NETWORK_INTERFACE.NOT_PRIMARY",
    phase=Phase.COMPATIBILITY,
    statement="The primary interface can never be detached.",
    source=seed("不能缷载主网卡。"),
    field="networkInterfaceId",
)
def detach_not_primary(ctx: NicCtx[Any]) -> Findings:
    nic = ctx.nic
    if nic is None or nic.role != "Primary":
        return None
    return Finding(f"network interface {nic.nic_id} is a primary interface; it cannot be detached")


@rule(
    "DETACH_NETWORK_INTERFACE.ATTACHED_HERE",
    phase=Phase.STATE,
    statement="The interface is attached to the instance.",
    source=inferred("only an existing attachment can be undone"),
    field="networkInterfaceId",
)
def detach_attached_here(ctx: NicCtx[Any]) -> Findings:
    inst, nic = ctx.instance, ctx.nic
    if inst is None or nic is None or nic.role == "Primary" or nic.nic_id in inst.secondary_nic_ids:
        return None
    return Finding(f"network interface {nic.nic_id} is not attached to instance {inst.instance_id}")


# effect: DETACH_NETWORK_INTERFACE.DETACHES
def _detach_nic(ctx: NicCtx[DetachNetworkInterfaceRequest]) -> tuple[World, JSON]:
    inst, nic = ctx.instance, ctx.nic
    assert inst is not None and nic is not None  # rules guarantee them
    inst = replace(inst, secondary_nic_ids=tuple(n for n in inst.secondary_nic_ids if n != nic.nic_id))
    nic = replace(nic, instance_id=None, device_index=0, auto_delete=False)
    return _put_attachment(ctx.world, inst, nic), {}


DETACHES_NIC = effect(
    "DETACH_NETWORK_INTERFACE.DETACHES", "change",
    "The interface is detached at once and kept, with its elastic IP.",
    seed("云主机缷载一块弹性网卡。"),
)


DETACH_NETWORK_INTERFACE = Operation[DetachNetworkInterfaceRequest, NicCtx[DetachNetworkInterfaceRequest]](
    name="detachNetworkInterface",
    method="POST",
    path="/regions/{regionId}/instances/{instanceId}:detachNetworkInterface",
    summary="云主机缷载一块弹性网卡。",
    request=DetachNetworkInterfaceRequest,
    context=nic_context,
    rules=(
        region_exists,
        instance_exists,
        nic_exists,
        detach_not_primary,
        instance_status_in("DETACH_NETWORK_INTERFACE.STATUS_RUNNING_OR_STOPPED", ["running", "stopped"],
                           NIC_GATE_QUOTE),
        instance_idle("DETACH_NETWORK_INTERFACE.NO_TASK", NIC_GATE_QUOTE),
        detach_attached_here,
    ),
    apply=_detach_nic,
    effects=(DETACHES_NIC,),
)


# ---- modifyInstanceNetworkAttribute -----------------------------------------------------------------


class InstanceNetworkAttribute(BaseModel):
    model_config = ConfigDict(strict=True, frozen=True, extra="ignore", from_attributes=True)

    networkInterfaceId: str | None = None
    autoDelete: bool | None = None


class ModifyInstanceNetworkAttributeRequest(InstanceRequest):
    # Required by the current API ([SDK]); the 2018 definition had it optional (fact sheet §7.17).
    networks: list[InstanceNetworkAttribute]


@dataclass(slots=True)
class ModifyNicsCtx(InstanceCtx[ModifyInstanceNetworkAttributeRequest]):
    # One entry per networks item: the interface the caller can see under that id, or None.
    nics: tuple[NetworkInterface | None, ...]


def _modify_nics_context(world: World, caller: str, req: ModifyInstanceNetworkAttributeRequest) -> ModifyNicsCtx:
    nics = tuple(world.network_interface(caller, req.regionId, i.networkInterfaceId)
                 if i.networkInterfaceId is not None else None for i in req.networks)
    return ModifyNicsCtx(world, caller, req, world.instance(caller, req.regionId, req.instanceId), nics)


def _nic_items(ctx: ModifyNicsCtx) -> list[tuple[int, InstanceNetworkAttribute, NetworkInterface | None]]:
    return [(n, item, ctx.nics[n]) for n, item in enumerate(ctx.req.networks)]


MODIFY_NIC_QUOTE = "修改虚机弹性网卡属性，包括是否随云主机一起删除。"


def _nic_ids(ctx: ModifyNicsCtx) -> list[str | None]:
    return [item.networkInterfaceId for item in ctx.req.networks]


modify_nic_id_required = item_ids_required(
    "MODIFY_INSTANCE_NETWORK_ATTRIBUTE.NIC_ID_REQUIRED", "networks", "networkInterfaceId", _nic_ids,
    statement="Every networks item names an interface (networkInterfaceId).",
    source=inferred("an attribute change must say which interface it is for"),
)
modify_nic_id_unique = item_ids_unique(
    "MODIFY_INSTANCE_NETWORK_ATTRIBUTE.NIC_ID_UNIQUE", "networks", "networkInterfaceId", _nic_ids,
    statement="An interface appears at most once in networks.",
    source=inferred("two items for one interface could ask for contradicting values"),
)
modify_nic_exists = item_ids_exist(
    "MODIFY_INSTANCE_NETWORK_ATTRIBUTE.NIC_EXISTS", "networks", "networkInterfaceId", _nic_ids,
    attrgetter("nics"),
    statement="Every interface named in networks exists in the region and belongs to the caller.",
    source=inferred("an interface of another account or region is not found"),
)


@rule(
    "MODIFY_INSTANCE_NETWORK_ATTRIBUTE.NOT_PRIMARY",
    phase=Phase.COMPATIBILITY,
    statement="The primary interface cannot be modified.",
    source=seed("不能修改主网卡。"),
    field="networks",
)
def modify_not_primary(ctx: ModifyNicsCtx) -> Findings:
    return [Finding(f"networks.{n}.networkInterfaceId {nic.nic_id} is a primary interface; it cannot be modified",
                    f"networks.{n}.networkInterfaceId")
            for n, _, nic in _nic_items(ctx) if nic is not None and nic.role == "Primary"]


@rule(
    "MODIFY_INSTANCE_NETWORK_ATTRIBUTE.ATTACHED_HERE",
    phase=Phase.STATE,
    statement="Every interface named in networks is attached to the instance.",
    source=seed(MODIFY_NIC_QUOTE),
    field="networks",
)
def modify_attached_here(ctx: ModifyNicsCtx) -> Findings:
    inst = ctx.instance
    if inst is None:
        return None
    return [Finding(f"networks.{n}.networkInterfaceId {nic.nic_id} is not attached to instance "
                    f"{inst.instance_id}", f"networks.{n}.networkInterfaceId")
            for n, _, nic in _nic_items(ctx)
            if nic is not None and nic.role != "Primary" and nic.nic_id not in inst.secondary_nic_ids]


# effect: MODIFY_INSTANCE_NETWORK_ATTRIBUTE.SETS_AUTO_DELETE
def _modify_nics(ctx: ModifyNicsCtx) -> tuple[World, JSON]:
    world = ctx.world
    for item, nic in zip(ctx.req.networks, ctx.nics, strict=True):
        if nic is not None and item.autoDelete is not None:
            world = world.with_interface(replace(nic, auto_delete=item.autoDelete))
    return world, {}


SETS_NIC_AUTO_DELETE = effect(
    "MODIFY_INSTANCE_NETWORK_ATTRIBUTE.SETS_AUTO_DELETE", "change",
    "Each listed interface's autoDelete is set as given.",
    seed("修改虚机弹性网卡属性，包括是否随云主机一起删除。"),
)


MODIFY_INSTANCE_NETWORK_ATTRIBUTE = Operation[ModifyInstanceNetworkAttributeRequest, ModifyNicsCtx](
    name="modifyInstanceNetworkAttribute",
    method="POST",
    path="/regions/{regionId}/instances/{instanceId}:modifyInstanceNetworkAttribute",
    summary="修改虚机弹性网卡属性，包括是否随云主机一起删除。不能修改主网卡。",
    request=ModifyInstanceNetworkAttributeRequest,
    context=_modify_nics_context,
    rules=(
        region_exists,
        modify_nic_id_required,
        modify_nic_id_unique,
        instance_exists,
        modify_nic_exists,
        modify_not_primary,
        modify_attached_here,
    ),
    apply=_modify_nics,
    effects=(SETS_NIC_AUTO_DELETE,),
)


# ---- elastic IPs ------------------------------------------------------------------------------------


class ElasticIpRequest(InstanceRequest):
    elasticIpId: str


@dataclass(slots=True)
class EipCtx(InstanceCtx[ElasticIpRequest]):
    """``eip`` is None when the caller cannot see it; ``primary`` is the instance's primary interface."""

    eip: ElasticIp | None
    primary: NetworkInterface | None


def _eip_context(world: World, caller: str, req: ElasticIpRequest) -> EipCtx:
    inst = world.instance(caller, req.regionId, req.instanceId)
    primary = world.network_interfaces.get(inst.primary_nic_id) if inst is not None else None
    return EipCtx(world, caller, req, inst, world.elastic_ip(caller, req.regionId, req.elasticIpId), primary)


eip_exists: Rule[EipCtx] = exists_rule(
    "ELASTIC_IP.EXISTS", "elastic IP", "elasticIpId", resolved=attrgetter("eip"),
    requested=attrgetter("req.elasticIpId"),
    source=inferred("an elastic IP of another account or region is not found, so its existence does not leak"),
)


@rule(
    "ASSOCIATE_ELASTIC_IP.SAME_AZ",
    phase=Phase.COMPATIBILITY,
    statement="The elastic IP is in the instance's availability zone or is all-AZ.",
    source=sdk_doc("associateElasticIp: 弹性公网IP所在的可用区需要与云主机的可用区保持一致，"
                   "或者弹性公网IP是全可用区类型的"),
    field="elasticIpId",
)
def associate_same_az(ctx: EipCtx) -> Findings:
    inst, eip = ctx.instance, ctx.eip
    if inst is None or eip is None or eip.az in ("", inst.az):
        return None
    return Finding(f"elastic IP {eip.elastic_ip_id} is in {eip.az} but instance {inst.instance_id} is in "
                   f"{inst.az}; it must be in the same zone or all-AZ")


@rule(
    "ASSOCIATE_ELASTIC_IP.ONE_PER_INSTANCE",
    phase=Phase.STATE,
    statement="An instance has one elastic IP (on its primary interface): refused when one is already bound.",
    source=seed("一台云主机只能绑定一个弹性公网IP(主网卡)，若主网卡已存在弹性公网IP，会返回错误。"),
    field="instanceId",
)
def associate_one_per_instance(ctx: EipCtx) -> Findings:
    inst, primary = ctx.instance, ctx.primary
    if inst is None or primary is None or primary.elastic_ip_id is None:
        return None
    return Finding(f"instance {inst.instance_id} already has elastic IP {primary.elastic_ip_id} on its primary "
                   "interface; disassociate it first")


@rule(
    "ASSOCIATE_ELASTIC_IP.NOT_BOUND",
    phase=Phase.STATE,
    statement="The elastic IP is not bound to any interface.",
    source=inferred("an elastic IP maps to one private address; already bound is FAILED_PRECONDITION "
                    "(as the API reports it)"),
    field="elasticIpId",
)
def associate_not_bound(ctx: EipCtx) -> Findings:
    eip = ctx.eip
    if eip is None or eip.nic_id is None:
        return None
    holder = f"instance {eip.instance_id}" if eip.instance_id else f"network interface {eip.nic_id}"
    return Finding(f"elastic IP {eip.elastic_ip_id} is already bound to {holder}")


def _put_binding(world: World, eip: ElasticIp, primary: NetworkInterface) -> World:
    """The elastic IP and the primary interface as given (both sides of a binding change together)."""
    return world.evolve(elastic_ips=world.elastic_ips.set(eip.elastic_ip_id, eip)).with_interface(primary)


# effect: ASSOCIATE_ELASTIC_IP.BINDS_PRIMARY_IP
def _associate(ctx: EipCtx) -> tuple[World, JSON]:
    inst, eip, primary = ctx.instance, ctx.eip, ctx.primary
    assert inst is not None and eip is not None and primary is not None  # rules guarantee them
    eip = replace(eip, nic_id=primary.nic_id, instance_id=inst.instance_id, private_ip=primary.private_ip)
    return _put_binding(ctx.world, eip, replace(primary, elastic_ip_id=eip.elastic_ip_id)), {}


@rule(
    "ASSOCIATE_ELASTIC_IP.PRIMARY_INTERFACE",
    phase=Phase.STATE,
    statement="The instance has its primary interface (the elastic IP binds to its primary private IP).",
    source=seed("为云主机主网卡下的主内网IP绑定弹性公网IP。"),
    field="instanceId",
)
def associate_primary_interface(ctx: EipCtx) -> Findings:
    if ctx.instance is None or ctx.primary is not None:
        return None
    return Finding(f"instance {ctx.instance.instance_id} has no primary interface to bind an elastic IP to")


BINDS_PRIMARY_IP = effect(
    "ASSOCIATE_ELASTIC_IP.BINDS_PRIMARY_IP", "change",
    "The elastic IP is bound to the primary private IP of the instance's primary interface, at once.",
    seed("为云主机主网卡下的主内网IP绑定弹性公网IP。"),
)


ASSOCIATE_ELASTIC_IP = Operation[ElasticIpRequest, EipCtx](
    name="associateElasticIp",
    method="POST",
    path="/regions/{regionId}/instances/{instanceId}:associateElasticIp",
    summary="为云主机主网卡下的主内网IP绑定弹性公网IP。",
    request=ElasticIpRequest,
    context=_eip_context,
    rules=(
        region_exists,
        instance_exists,
        eip_exists,
        associate_same_az,
        associate_primary_interface,
        associate_one_per_instance,
        associate_not_bound,
    ),
    apply=_associate,
    effects=(BINDS_PRIMARY_IP,),
)


@rule(
    "DISASSOCIATE_ELASTIC_IP.BOUND_HERE",
    phase=Phase.STATE,
    statement="The elastic IP is the one bound to the primary private IP of the instance's primary interface.",
    source=seed("云主机解绑弹性公网IP，解绑的是主网卡、内网主IP对应的弹性公网IP。"),
    field="elasticIpId",
)
def disassociate_bound_here(ctx: EipCtx) -> Findings:
    inst, eip, primary = ctx.instance, ctx.eip, ctx.primary
    if inst is None or eip is None:
        return None
    if primary is not None and primary.elastic_ip_id == eip.elastic_ip_id:
        return None
    return Finding(f"elastic IP {eip.elastic_ip_id} is not bound to the primary interface of instance "
                   f"{inst.instance_id}")


# effect: DISASSOCIATE_ELASTIC_IP.UNBINDS
def _disassociate(ctx: EipCtx) -> tuple[World, JSON]:
    eip, primary = ctx.eip, ctx.primary
    assert eip is not None and primary is not None  # rules guarantee them
    eip = replace(eip, nic_id=None, instance_id=None, private_ip=None)
    return _put_binding(ctx.world, eip, replace(primary, elastic_ip_id=None)), {}


UNBINDS_PRIMARY_IP = effect(
    "DISASSOCIATE_ELASTIC_IP.UNBINDS", "change",
    "The elastic IP is unbound from the primary interface's primary private IP, at once, and kept.",
    seed("云主机解绑弹性公网IP，解绑的是主网卡、内网主IP对应的弹性公网IP。"),
)


DISASSOCIATE_ELASTIC_IP = Operation[ElasticIpRequest, EipCtx](
    name="disassociateElasticIp",
    method="POST",
    path="/regions/{regionId}/instances/{instanceId}:disassociateElasticIp",
    summary="云主机解绑弹性公网IP，解绑的是主网卡、内网主IP对应的弹性公网IP。",
    request=ElasticIpRequest,
    context=_eip_context,
    rules=(
        region_exists,
        instance_exists,
        eip_exists,
        disassociate_bound_here,
    ),
    apply=_disassociate,
    effects=(UNBINDS_PRIMARY_IP,),
)


OPERATIONS = (ATTACH_NETWORK_INTERFACE, DETACH_NETWORK_INTERFACE, MODIFY_INSTANCE_NETWORK_ATTRIBUTE,
              ASSOCIATE_ELASTIC_IP, DISASSOCIATE_ELASTIC_IP)
COMPLETIONS: dict[str, Completion] = {}
