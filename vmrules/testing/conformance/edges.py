"""The edge world (resources right at the seed's limits) and the requests aimed at those limits (EDGE_TARGETS)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from vmrules import builders
from vmrules.defaults import ALL_AZS, MAIN, MAIN_VPC, MEMBERS, NORTH, SECOND, UNVERIFIED
from vmrules.engine import settle
from vmrules.model import (
    AvailabilityGroup,
    AzStock,
    Charge,
    Image,
    Instance,
    InstanceType,
    SecurityGroup,
    Subnet,
    Vpc,
)
from vmrules.testing.conformance.settings import JSON
from vmrules.world import World

# ==== the edge world ==================================================================================


def edge_world(base: World | None = None) -> World:
    """The default world with resources right at the seed's limits, so that a few steps reach the rules that
    matter: alice has a running local-system-disk instance with 8 data disks, a stopped cloud-system-disk one
    with 7, a stopped local-system-disk generation-2 instance, a running one with an elastic IP, one in
    arrears, one prepaid (expiring in three days), one in ``error``; an image shared with 20 accounts, one with
    19, an unshared one; a subnet with no free address, a VPC without a default security group, an
    availability group over two AZs, an image with a 60 GB system disk; carol's instances of ``AIMED_AS``; bob
    has two instances and an instance quota of exactly two, and an image shared with alice and an imageShare
    quota of exactly one. No task is in progress."""
    world = base if base is not None else World.default()
    clock = world.clock

    def ssd(n: int) -> list[builders.DataDiskPlan]:
        return [builders.DataDiskPlan("ssd", 20 + 10 * i) for i in range(n)]

    _, world = builders.add_instance(world, owner=MAIN, name="edge-local8", image_id="img-centos7lcl",
                                     system_disk="local", data_disks=ssd(8), status="running")
    _, world = builders.add_instance(world, owner=MAIN, name="edge-cloud7", data_disks=ssd(7), status="stopped")
    _, world = builders.add_instance(world, owner=MAIN, name="edge-local-g2", image_id="img-centos7lcl",
                                     instance_type="g.n2.large", system_disk="local", data_disks=ssd(1),
                                     status="stopped")
    web, world = builders.add_instance(world, owner=MAIN, name="edge-web", data_disks=ssd(1), status="running")
    world = builders.bind_elastic_ip(world, "fip-free000all", world.instances[web].primary_nic_id)
    _, world = builders.add_instance(world, owner=MAIN, name="edge-arrears", status="stopped",
                                     charge=Charge("postpaid_by_duration", "arrear", clock - 86400))
    _, world = builders.add_instance(world, owner=MAIN, name="edge-prepaid", status="running",
                                     charge=Charge("prepaid_by_duration", "normal", clock - 86400,
                                                   clock + 3 * 86400))
    _, world = builders.add_instance(world, owner=MAIN, name="edge-error", status="error")
    world = _add_image(world, MAIN, "edge-shared20", MEMBERS[:20])
    world = _add_image(world, MAIN, "edge-shared19", MEMBERS[:19])
    world = _add_image(world, MAIN, "edge-private", ())
    # a system disk larger than the smallest one allowed (every other image's is 40 GB, the minimum)
    world = _add_image(world, MAIN, "edge-60gb", (), size_gb=60, image_id="img-zedgesys60")
    _, world = builders.add_instance(world, owner=SECOND, name="bob-run", subnet_id="subnet-bobnet001a",
                                     status="running")
    _, world = builders.add_instance(world, owner=SECOND, name="bob-stop", subnet_id="subnet-bobnet001a",
                                     status="stopped")
    world = _add_image(world, SECOND, "bob-for-alice", (MAIN,))
    world = _add_rare_networks(world)
    world = _add_carols_states(world)
    bob = world.accounts[SECOND]
    # bob's instance quota is exactly what he uses, and his imageShare quota the one account his image has
    at_limit = {"instance": world.used(SECOND, NORTH, "instance"), "imageShare": 1}
    quotas = tuple((name, at_limit.get(name, limit)) for name, limit in bob.quotas)
    world = world.evolve(accounts=world.accounts.set(SECOND, dataclasses.replace(bob, quotas=quotas)))
    return settle(world)


def _add_rare_networks(world: World) -> World:
    """What the default world's networks never are: a subnet with no address left (all of a /28 handed out),
    a VPC without a default security group, an availability group over two of the region's three AZs. Their
    ids sort after every other resource of their kind, so steps that take "the first subnet" keep theirs."""
    full = Subnet("subnet-zedgefull1", MAIN, NORTH, MAIN_VPC, "cn-north-1a", "edge-full", "10.0.9.0/28",
                  next_host=15)
    bare = Vpc("vpc-zedgenodflt", MAIN, NORTH, "edge-no-default-group", "192.168.0.0/16")
    bare_subnet = Subnet("subnet-zedgenodf1", MAIN, NORTH, bare.vpc_id, "cn-north-1a", "edge-no-default",
                         "192.168.1.0/24")
    group = SecurityGroup("sg-zedgeplain01", MAIN, NORTH, bare.vpc_id, "edge-plain")
    template_id = min(t.template_id for t in world.templates.values() if t.owner == MAIN)
    two_azs = AvailabilityGroup("ag-zedge2azs001", MAIN, NORTH, "edge-two-azs", template_id,
                                ("cn-north-1a", "cn-north-1b"))
    return world.evolve(
        vpcs=world.vpcs.set(bare.vpc_id, bare),
        subnets=world.subnets.set(full.subnet_id, full).set(bare_subnet.subnet_id, bare_subnet),
        security_groups=world.security_groups.set(group.security_group_id, group),
        availability_groups=world.availability_groups.set(two_azs.ag_id, two_azs),
    )


# The states no API request can make, each held by one instance of carol (the unverified account, which the
# kit's callers never act as): rule aimed at -> what carol's instance for it is. Their pairs are sent as carol
# (``AIMED_AS``), so the rest of a run, acting as alice and bob, never meets them.
LAUNCHED_2016 = 1_464_739_200  # 2016-06-01 00:00 UTC
STORAGE_TYPE = InstanceType("s.d2.xlarge", "s.d2", 2, 8, 32 * 1024, 4, "storage optimised, generation 2",
                            tuple(AzStock(az, True) for az in ALL_AZS))
CAROL_SUBNET = "subnet-zcarol001a"
AIMED_AS: dict[str, str] = {
    "RESIZE_INSTANCE.GENERATION_CREATED_2016": UNVERIFIED,  # a cloud-system-disk instance launched in 2016
    "RESIZE_INSTANCE.ENCRYPTED_DISK_GENERATION_1": UNVERIFIED,  # an encrypted data disk (createInstances has none)
    "RESIZE_INSTANCE.LOCAL_NO_STORAGE_FAMILY": UNVERIFIED,  # a local system disk, and a storage type to move to
    "DELETE_INSTANCE.BILLING_INFO": UNVERIFIED,  # an instance without billing information
    "CREATE_INSTANCES.REAL_NAME": UNVERIFIED,  # an account not verified, with a subnet to create in
}


def _add_carols_states(world: World) -> World:
    """Carol's network (a VPC, a subnet, its default group) and her four stopped instances: launched in 2016 on
    a generation-1 type, with an encrypted data disk, with a local system disk, without billing information;
    the world also sells a storage-optimised type (family s.d2). Ids sort after every other of their kind."""
    vpc = Vpc("vpc-zcarol0001", UNVERIFIED, NORTH, "carol-vpc", "10.8.0.0/16")
    subnet = Subnet(CAROL_SUBNET, UNVERIFIED, NORTH, vpc.vpc_id, "cn-north-1a", "carol-subnet", "10.8.1.0/24")
    group = SecurityGroup("sg-zcaroldflt", UNVERIFIED, NORTH, vpc.vpc_id, "default", is_default=True)
    world = world.evolve(vpcs=world.vpcs.set(vpc.vpc_id, vpc), subnets=world.subnets.set(subnet.subnet_id, subnet),
                         security_groups=world.security_groups.set(group.security_group_id, group),
                         instance_types=world.instance_types.set(STORAGE_TYPE.instance_type, STORAGE_TYPE))
    def stopped(world: World, instance_id: str, name: str, **options: Any) -> tuple[str, World]:
        return builders.add_instance(world, owner=UNVERIFIED, subnet_id=CAROL_SUBNET, status="stopped", name=name,
                                     instance_id=instance_id, **options)

    _, world = stopped(world, "i-zcarol2016", "carol-2016", instance_type="g.n1.medium", launch_time=LAUNCHED_2016)
    encrypted, world = stopped(world, "i-zcarolencr", "carol-encrypted", data_disks=[builders.DataDiskPlan("ssd", 50)])
    disk_id = world.instances[encrypted].data_disks[0].disk_id
    world = world.evolve(disks=world.disks.set(disk_id, dataclasses.replace(world.disks[disk_id], encrypted=True)))
    _, world = stopped(world, "i-zcarollocl", "carol-local", instance_type="g.n2.large", image_id="img-centos7lcl",
                       system_disk="local")
    unbilled, world = stopped(world, "i-zcarolnobl", "carol-unbilled")
    inst = world.instances[unbilled]
    return world.evolve(instances=world.instances.set(unbilled, dataclasses.replace(inst, charge=None)))


def _add_image(world: World, owner: str, name: str, shared_with: Sequence[str], *, size_gb: int = 40,
               image_id: str | None = None) -> World:
    if image_id is None:
        image_id, world = world.new_id("img-")
    snapshot_id, world = builders.add_snapshot(world, owner=owner, region=NORTH, disk_type="ssd", size_gb=size_gb,
                                               image_id=image_id)
    image = Image(image_id, owner, NORTH, name, "private", "CentOS", "linux", "7.6", "cloudDisk", size_gb,
                  create_time=world.clock, size_mb=10240, snapshot_id=snapshot_id, shared_with=tuple(shared_with))
    return builders.add_image(world, image)


# ==== requests aimed at the edges =====================================================================

EdgeRequest: TypeAlias = tuple[str, str, JSON]  # (operation, caller, params)


@dataclass(frozen=True)
class EdgeTarget:
    """Requests aimed at one rule: ``build(world, callers)`` gives (operation, caller, params) candidates the
    world allows (empty when it has none). The model's answer stays the oracle: a request that misses its
    target is still a valid lockstep step."""

    rule: str
    build: Callable[[World, Sequence[str]], list[EdgeRequest]]


def _idle_instances(world: World, callers: Sequence[str], where: Callable[[Instance], bool]) -> list[Instance]:
    return sorted((i for i in world.instances.values()
                   if i.owner in callers and not world.busy(i.instance_id) and where(i)),
                  key=lambda i: i.instance_id)


def _cap(inst: Instance) -> int:
    return 8 if inst.system_disk.category == "local" else 7


def _ninth_disk(world: World, callers: Sequence[str]) -> list[EdgeRequest]:
    full = _idle_instances(world, callers, lambda i: i.status in ("running", "stopped")
                           and len(i.data_disks) >= _cap(i))
    return [("attachDisk", i.owner, {"regionId": NORTH, "instanceId": i.instance_id, "diskId": d.disk_id})
            for i in full for d in sorted(world.disks.values(), key=lambda d: d.disk_id)
            if d.owner == i.owner and d.az == i.az and d.status == "available" and not d.attachments
            and not world.busy(d.disk_id)]


def create_spec(world: World, caller: str, *, local: bool = False, groups: int = 0,
                 data_disks: int = 0) -> JSON | None:
    """A createInstances request of ``caller`` that only the count given (groups, data disks) can break."""
    subnets = sorted((s for s in world.subnets.values() if s.owner == caller and s.region == NORTH),
                     key=lambda s: (-sum(1 for g in world.security_groups.values() if g.vpc_id == s.vpc_id),
                                    s.subnet_id))
    if not subnets:
        return None
    subnet = subnets[0]
    sgs = sorted(g.security_group_id for g in world.security_groups.values()
                 if g.vpc_id == subnet.vpc_id and g.owner == caller)
    nic: JSON = {"subnetId": subnet.subnet_id}
    if groups:
        if len(sgs) < groups:
            return None
        nic["securityGroups"] = sgs[:groups]
    spec: JSON = {"az": subnet.az, "instanceType": "g.n2.medium",
                  "imageId": "img-centos7lcl" if local else "img-centos7cld", "name": "edge-vm",
                  "primaryNetworkInterface": {"networkInterface": nic},
                  "systemDisk": {"diskCategory": "local"} if local else
                  {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}}}
    if data_disks:
        spec["dataDisks"] = [{"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 20}}
                             for _ in range(data_disks)]
    return {"regionId": NORTH, "instanceSpec": spec}


def _create_with(**counts: Any) -> Callable[[World, Sequence[str]], list[EdgeRequest]]:
    def build(world: World, callers: Sequence[str]) -> list[EdgeRequest]:
        items = []
        for caller in callers:
            params = create_spec(world, caller, **counts)
            if params is not None:
                items.append(("createInstances", caller, params))
        return items

    return build


def _at_quota(world: World, callers: Sequence[str]) -> list[EdgeRequest]:
    items = []
    for caller in callers:
        account = world.accounts.get(caller)
        if account is None or world.used(caller, NORTH, "instance") < account.quota("instance"):
            continue
        params = create_spec(world, caller)
        if params is not None:
            items.append(("createInstances", caller, params))
    return items


def _twenty_first_share(world: World, callers: Sequence[str]) -> list[EdgeRequest]:
    items = []
    for image in sorted(world.images.values(), key=lambda i: i.image_id):
        if image.owner not in callers or image.source != "private" or image.whole_machine \
                or image.status != "ready" or len(image.shared_with) < 18:
            continue
        others = [p for p in sorted(world.accounts) if p != image.owner and p not in image.shared_with]
        pins = others[:21 - len(image.shared_with)]
        if pins:
            items.append(("shareImage", image.owner, {"regionId": NORTH, "imageId": image.image_id, "pins": pins}))
    return items


def _share_past_quota(world: World, callers: Sequence[str]) -> list[EdgeRequest]:
    """One more account for each shareable image already shared with as many as its owner's imageShare quota
    allows, where that quota is below the seed's 20 (bob's, in the edge world)."""
    items = []
    for image in sorted(world.images.values(), key=lambda i: i.image_id):
        account = world.accounts.get(image.owner)
        quota = account.quota("imageShare") if account is not None else 0
        if image.owner not in callers or image.source != "private" or image.whole_machine \
                or image.status != "ready" or not 0 < quota < 20 or len(image.shared_with) < quota:
            continue
        others = [p for p in sorted(world.accounts) if p != image.owner and p not in image.shared_with]
        if others:
            items.append(("shareImage", image.owner, {"regionId": NORTH, "imageId": image.image_id,
                                                      "pins": others[:1]}))
    return items


def _local_generation_change(world: World, callers: Sequence[str]) -> list[EdgeRequest]:
    items = []
    for inst in _idle_instances(world, callers, lambda i: i.status == "stopped"
                                and i.system_disk.category == "local"):
        current = world.instance_types.get(inst.instance_type)
        if current is None:
            continue
        for t in sorted(world.instance_types.values(), key=lambda t: t.instance_type):
            if t.generation != current.generation and not t.offline and t.stock_in(inst.az) \
                    and not t.local_disks and 1 + len(inst.secondary_nic_ids) <= t.nic_limit:
                items.append(("resizeInstance", inst.owner, {"regionId": NORTH, "instanceId": inst.instance_id,
                                                             "instanceType": t.instance_type}))
    return items


def _stop_stopped(world: World, callers: Sequence[str]) -> list[EdgeRequest]:
    return [("stopInstance", i.owner, {"regionId": NORTH, "instanceId": i.instance_id})
            for i in _idle_instances(world, callers, lambda i: i.status == "stopped")]


_INSTANCE_OPS = ("describeInstance", "stopInstance", "startInstance", "rebootInstance", "deleteInstance",
                 "describeInstanceVncUrl")


def _foreign_instance(world: World, callers: Sequence[str]) -> list[EdgeRequest]:
    return [(op, caller, {"regionId": NORTH, "instanceId": i.instance_id})
            for caller in callers for i in sorted(world.instances.values(), key=lambda i: i.instance_id)
            if i.owner != caller and i.owner in callers for op in _INSTANCE_OPS]


def _foreign_image(world: World, callers: Sequence[str]) -> list[EdgeRequest]:
    return [(op, caller, {"regionId": NORTH, "imageId": i.image_id})
            for caller in callers for i in sorted(world.images.values(), key=lambda i: i.image_id)
            if i.source == "private" and i.owner != caller and caller not in i.shared_with
            for op in ("describeImage", "deleteImage", "describeImageMembers")]


EDGE_TARGETS: tuple[EdgeTarget, ...] = (
    EdgeTarget("ATTACH_DISK.DATA_DISK_LIMIT", _ninth_disk),
    EdgeTarget("CREATE_INSTANCES.SECURITY_GROUP_COUNT", _create_with(groups=6)),
    EdgeTarget("CREATE_INSTANCES.DATA_DISK_COUNT_LOCAL", _create_with(local=True, data_disks=9)),
    EdgeTarget("CREATE_INSTANCES.DATA_DISK_COUNT_CLOUD", _create_with(data_disks=8)),
    EdgeTarget("CREATE_INSTANCES.QUOTA_INSTANCE", _at_quota),
    EdgeTarget("SHARE_IMAGE.MEMBER_LIMIT", _twenty_first_share),
    EdgeTarget("SHARE_IMAGE.SHARE_QUOTA", _share_past_quota),
    EdgeTarget("RESIZE_INSTANCE.GENERATION_LOCAL_SYSTEM_DISK", _local_generation_change),
    EdgeTarget("STOP_INSTANCE.STATUS_RUNNING", _stop_stopped),
    EdgeTarget("INSTANCE.EXISTS", _foreign_instance),
    EdgeTarget("IMAGE.EXISTS", _foreign_image),
)


def edge_targets() -> tuple[EdgeTarget, ...]:
    """The rules the kit aims at directly, at the limits the edge world sits at."""
    return EDGE_TARGETS
