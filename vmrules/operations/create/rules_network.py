"""createInstances rules: the subnet, primary IP address, security groups, primary interface and
elastic IP."""

from __future__ import annotations

import ipaddress
from operator import attrgetter

from vmrules.builders import free_addresses
from vmrules.operations.common import exists_rule, listed_exist_rule
from vmrules.operations.create.plan import (
    EIP_BANDWIDTH_MAX,
    EIP_BANDWIDTH_MIN,
    EIP_PROVIDERS,
    SECURITY_GROUPS_MAX,
    CreateCtx,
    count_requested,
    nic_spec,
)
from vmrules.operations.create.request import NIC, SPEC, CreateInstancesRequest
from vmrules.operations.params import description_rule, name_rule
from vmrules.rules import Finding, Findings, Phase, Rule, inferred, rule, sdk_doc, seed
from vmrules.world import World


@rule(
    "CREATE_INSTANCES.SUBNET_REQUIRED",
    phase=Phase.PARAMETERS,
    statement="The primary network interface's subnetId is required (given, or from the template).",
    source=seed("必须指定subnetId"),
    field=f"{NIC}.subnetId",
)
def subnet_required(ctx: CreateCtx) -> Findings:
    if ctx.plan.subnet_id is not None or (ctx.plan.mode != "normal" and ctx.template is None):
        return None
    return Finding(f"{NIC}.subnetId is required")


subnet_exists: Rule[CreateCtx] = exists_rule(
    "CREATE_INSTANCES.SUBNET_EXISTS", "subnet", f"{NIC}.subnetId", resolved=attrgetter("subnet"),
    requested=attrgetter("plan.subnet_id"), source=inferred("a subnet of another account or region is not found"),
    region_checked=False,
)


@rule(
    "CREATE_INSTANCES.SUBNET_ADDRESSES",
    phase=Phase.STATE,
    statement="The subnet has a free private address for at least one instance.",
    source=inferred("each instance's primary interface takes one address of the subnet"),
    field=f"{NIC}.subnetId",
)
def subnet_addresses(ctx: CreateCtx) -> Findings:
    if ctx.subnet is None or ctx.plan.primary_ip is not None or free_addresses(ctx.subnet) > 0:
        return None
    return Finding(f"subnet {ctx.subnet.subnet_id} ({ctx.subnet.cidr}) has no free address left")


@rule(
    "CREATE_INSTANCES.PRIMARY_IP_SINGLE",
    phase=Phase.PARAMETERS,
    statement="With primaryIpAddress, maxCount must be 1.",
    source=seed("可以指定主网卡的内网主IP(primaryIpAddress)，此时maxCount只能为1"),
    field="maxCount",
)
def primary_ip_single(ctx: CreateCtx) -> Findings:
    if ctx.plan.primary_ip is None or count_requested(ctx) == 1:
        return None
    return Finding(f"maxCount is {count_requested(ctx)}; with {NIC}.primaryIpAddress it must be 1")


def _parse_ip(text: str) -> ipaddress.IPv4Address | None:
    try:
        return ipaddress.IPv4Address(text)
    except ValueError:
        return None


@rule(
    "CREATE_INSTANCES.PRIMARY_IP_FORMAT",
    phase=Phase.PARAMETERS,
    statement="primaryIpAddress is an IPv4 address.",
    source=inferred("a private address in dotted-quad form"),
    field=f"{NIC}.primaryIpAddress",
)
def primary_ip_format(ctx: CreateCtx) -> Findings:
    ip = ctx.plan.primary_ip
    if ip is None or _parse_ip(ip) is not None:
        return None
    return Finding(f"{NIC}.primaryIpAddress {ip[:64]!r} is not an IPv4 address")


@rule(
    "CREATE_INSTANCES.PRIMARY_IP_IN_SUBNET",
    phase=Phase.COMPATIBILITY,
    statement="primaryIpAddress is a host address inside the subnet's CIDR (not its network or broadcast "
    "address, nor the reserved gateway addresses).",
    source=inferred("the primary address is taken from the subnet (the first addresses are reserved)"),
    field=f"{NIC}.primaryIpAddress",
)
def primary_ip_in_subnet(ctx: CreateCtx) -> Findings:
    ip = _parse_ip(ctx.plan.primary_ip) if ctx.plan.primary_ip is not None else None
    if ip is None or ctx.subnet is None:
        return None
    network = ipaddress.ip_network(ctx.subnet.cidr, strict=False)
    offset = int(ip) - int(network.network_address)
    if ip in network and 2 <= offset <= network.num_addresses - 2:
        return None
    return Finding(f"{NIC}.primaryIpAddress {ip} is not a usable address of subnet {ctx.subnet.subnet_id} "
                   f"({ctx.subnet.cidr})")


@rule(
    "CREATE_INSTANCES.PRIMARY_IP_FREE",
    phase=Phase.STATE,
    statement="primaryIpAddress is not in use by another network interface of the subnet.",
    source=inferred("one private address belongs to one interface"),
    field=f"{NIC}.primaryIpAddress",
)
def primary_ip_free(ctx: CreateCtx) -> Findings:
    ip = _parse_ip(ctx.plan.primary_ip) if ctx.plan.primary_ip is not None else None
    subnet = ctx.subnet
    if ip is None or subnet is None:
        return None
    network = ipaddress.ip_network(subnet.cidr, strict=False)
    if ip not in network:
        return None
    user = ctx.world.address_user(subnet.subnet_id, str(ip))  # an index lookup, not a scan of the interfaces
    if user is not None:
        return Finding(f"{NIC}.primaryIpAddress {ip} is already used by network interface {user}")
    return None


@rule(
    "CREATE_INSTANCES.SECURITY_GROUP_COUNT",
    phase=Phase.PARAMETERS,
    statement="At most 5 distinct security groups (none: the VPC's default security group).",
    source=seed("一台云主机创建时必须指定一个安全组，至多指定5个安全组，如果没有指定安全组，默认使用默认安全组"),
    field=f"{NIC}.securityGroups",
)
def security_group_count(ctx: CreateCtx) -> Findings:
    sgs = ctx.plan.security_groups
    if sgs is None or (len(sgs) <= SECURITY_GROUPS_MAX and len(set(sgs)) == len(sgs)):
        return None
    found = []
    if len(sgs) > SECURITY_GROUPS_MAX:
        found.append(Finding(f"{NIC}.securityGroups has {len(sgs)} groups; at most {SECURITY_GROUPS_MAX} are allowed"))
    first: dict[str, int] = {}
    for i, group in enumerate(sgs):  # each repeat named at its own position, as every list rule names its items
        at = first.setdefault(group, i)
        if at != i:
            found.append(Finding(f"{NIC}.securityGroups.{i} repeats {group} ({NIC}.securityGroups.{at})",
                                 f"{NIC}.securityGroups.{i}"))
    return found


security_groups_exist: Rule[CreateCtx] = listed_exist_rule(
    "CREATE_INSTANCES.SECURITY_GROUPS_EXIST", "security group", f"{NIC}.securityGroups",
    lambda ctx: enumerate(ctx.plan.security_groups or ()), World.security_group,
    statement="Every security group exists in the region and belongs to the caller.",
    source=inferred("a security group of another account or region is not found"), region_checked=False,
    path=lambda i: f"{NIC}.securityGroups.{i}",
)


@rule(
    "CREATE_INSTANCES.DEFAULT_SECURITY_GROUP",
    phase=Phase.EXISTENCE,
    statement="When no security group is given, the subnet's VPC has a default security group.",
    source=seed("如果没有指定安全组，默认使用默认安全组"),
    field=f"{NIC}.securityGroups",
)
def default_security_group(ctx: CreateCtx) -> Findings:
    if ctx.plan.security_groups is not None or ctx.subnet is None:
        return None
    if ctx.world.default_security_group(ctx.subnet.vpc_id) is not None:
        return None
    return Finding(f"no security group given and VPC {ctx.subnet.vpc_id} has no default security group")


@rule(
    "CREATE_INSTANCES.SECURITY_GROUP_VPC",
    phase=Phase.COMPATIBILITY,
    statement="Every security group is in the subnet's VPC.",
    source=seed("安全组securityGroup需与子网Subnet在同一个私有网络VPC内"),
    field=f"{NIC}.securityGroups",
)
def security_group_vpc(ctx: CreateCtx) -> Findings:
    if ctx.subnet is None:
        return None
    found = []
    for i, sg_id in enumerate(ctx.plan.security_groups or ()):
        sg = ctx.world.security_group(ctx.caller, ctx.region, sg_id)
        if sg is not None and sg.vpc_id != ctx.subnet.vpc_id:
            found.append(Finding(f"security group {sg_id} is in VPC {sg.vpc_id}, but subnet "
                                 f"{ctx.subnet.subnet_id} is in VPC {ctx.subnet.vpc_id}", f"{NIC}.securityGroups.{i}"))
    return found


@rule(
    "CREATE_INSTANCES.DEVICE_INDEX",
    phase=Phase.PARAMETERS,
    statement="The primary network interface's deviceIndex is 1.",
    source=seed("主网卡deviceIndex设置为1"),
    field=f"{SPEC}.primaryNetworkInterface.deviceIndex",
)
def device_index(ctx: CreateCtx) -> Findings:
    pni = ctx.spec.primaryNetworkInterface
    if pni is None or pni.deviceIndex is None or pni.deviceIndex == 1:
        return None
    return Finding(f"{SPEC}.primaryNetworkInterface.deviceIndex is {pni.deviceIndex}; the primary interface is 1")


@rule(
    "CREATE_INSTANCES.NIC_AUTO_DELETE",
    phase=Phase.PARAMETERS,
    statement="The primary network interface is deleted with the instance: autoDelete cannot be false.",
    source=inferred("the primary interface lives and dies with its instance (it cannot be detached: seed, "
                    "detachNetworkInterface 不能缷载主网卡)"),
    field=f"{SPEC}.primaryNetworkInterface.autoDelete",
)
def nic_auto_delete(ctx: CreateCtx) -> Findings:
    pni = ctx.spec.primaryNetworkInterface
    if pni is None or pni.autoDelete is not False:
        return None
    return Finding(f"{SPEC}.primaryNetworkInterface.autoDelete is false; the primary interface always goes "
                   "with its instance")


@rule(
    "CREATE_INSTANCES.SANITY_CHECK",
    phase=Phase.PARAMETERS,
    statement="sanityCheck (source/destination check) is 0 or 1.",
    source=sdk_doc("NetworkInterfaceSpec.sanityCheck: 0 or 1, default 1"),
    field=f"{NIC}.sanityCheck",
)
def sanity_check(ctx: CreateCtx) -> Findings:
    nic = nic_spec(ctx.spec)
    if nic is None or nic.sanityCheck is None or nic.sanityCheck in (0, 1):
        return None
    return Finding(f"{NIC}.sanityCheck is {nic.sanityCheck}; allowed 0 or 1")


def _nic_name(req: CreateInstancesRequest) -> str | None:
    pni = req.instanceSpec.primaryNetworkInterface  # nic_spec inlined: these getters run on every check
    nic = pni.networkInterface if pni is not None else None
    return nic.networkInterfaceName if nic is not None else None


def _nic_description(req: CreateInstancesRequest) -> str | None:
    pni = req.instanceSpec.primaryNetworkInterface
    nic = pni.networkInterface if pni is not None else None
    return nic.description if nic is not None else None


nic_name = name_rule("CREATE_INSTANCES.NIC_NAME", _nic_name, f"{NIC}.networkInterfaceName",
                     sdk_doc("NetworkInterfaceSpec.networkInterfaceName: ≤ 32 characters, Chinese, letters, "
                             "digits, '_' and '-'"))
nic_description = description_rule("CREATE_INSTANCES.NIC_DESCRIPTION", _nic_description, f"{NIC}.description",
                                   sdk_doc("NetworkInterfaceSpec.description: ≤ 256 characters"))


@rule(
    "CREATE_INSTANCES.EIP_BANDWIDTH",
    phase=Phase.PARAMETERS,
    statement="The elastic IP's bandwidth is 1 to 100 Mbps in steps of 1.",
    source=seed("带宽取值范围[1\\-100]Mbps，步进1Mbps"),
    field=f"{SPEC}.elasticIp.bandwidthMbps",
)
def eip_bandwidth(ctx: CreateCtx) -> Findings:
    bw = ctx.plan.eip_bandwidth
    if bw is None or EIP_BANDWIDTH_MIN <= bw <= EIP_BANDWIDTH_MAX:
        return None
    return Finding(f"{SPEC}.elasticIp.bandwidthMbps is {bw}; allowed {EIP_BANDWIDTH_MIN} to {EIP_BANDWIDTH_MAX}")


@rule(
    "CREATE_INSTANCES.EIP_PROVIDER",
    phase=Phase.PARAMETERS,
    statement="The elastic IP's provider is bgp or no_bgp (default bgp).",
    source=sdk_doc("ElasticIpSpec.provider: IP线路信息。当IP类型为标准公网IP时，取值为bgp或no_bgp"),
    field=f"{SPEC}.elasticIp.provider",
)
def eip_provider(ctx: CreateCtx) -> Findings:
    provider = ctx.plan.eip_provider
    if provider is None or provider in EIP_PROVIDERS:
        return None
    return Finding(f"{SPEC}.elasticIp.provider is {provider[:32]!r}; allowed {' or '.join(EIP_PROVIDERS)}")
