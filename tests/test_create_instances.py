"""createInstances: every rule with a passing and a failing wire request, the three modes, best effort,
idempotency, and a full-spec creation seen through the views."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from helpers import ok, refused

from vmrules import World, check, execute, settle
from vmrules.usage import recount_usage
from vmrules.views import instance_view

NORTH = "cn-north-1"
S = "instanceSpec."
NIC = "instanceSpec.primaryNetworkInterface.networkInterface."
DEL = object()
PASSWORD = "Xk7#mP2v"


def base() -> dict[str, Any]:
    """A valid normal-mode request: one CentOS instance with a 60 GB ssd cloud system disk."""
    return {
        "regionId": NORTH,
        "instanceSpec": {
            "name": "web",
            "az": "cn-north-1a",
            "instanceType": "g.n2.medium",
            "imageId": "img-centos7cld",
            "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
            "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 60}},
        },
    }


def request(changes: dict[str, Any]) -> dict[str, Any]:
    """``base()`` with dotted paths set (``DEL`` removes a key)."""
    params = base()
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = params
        for key in parents:
            node = node.setdefault(key, {})
        if value is DEL:
            node.pop(last, None)
        else:
            node[last] = copy.deepcopy(value)
    return params


def create(world: World, changes: dict[str, Any] | None = None, caller: str | None = None) -> Any:
    return execute(world, "createInstances", request(changes or {}), caller=caller)


def cloud(size: int, disk_type: str = "ssd", **extra: Any) -> dict[str, Any]:
    return {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": disk_type, "diskSizeGB": size, **extra}}


def local_image() -> dict[str, Any]:
    return {S + "imageId": "img-centos7lcl", S + "systemDisk": {"diskCategory": "local"}}


def windows(image: str = "img-win2012r2c") -> dict[str, Any]:
    return {S + "imageId": image}


def with_account(**changes: Any) -> Callable[[World], World]:
    def change(world: World) -> World:
        acc = world.accounts["alice"]
        return world.evolve(accounts=world.accounts.set("alice", replace(acc, **changes)))

    return change


def with_quota(resource_type: str, limit: int) -> Callable[[World], World]:
    def change(world: World) -> World:
        acc = world.accounts["alice"]
        quotas = tuple((n, limit if n == resource_type else v) for n, v in acc.quotas)
        return world.evolve(accounts=world.accounts.set("alice", replace(acc, quotas=quotas)))

    return change


def with_image_status(status: str) -> Callable[[World], World]:
    def change(world: World) -> World:
        image = world.images["img-centos7cld"]
        return world.evolve(images=world.images.set(image.image_id, replace(image, status=status)))

    return change


def subnet_full(world: World) -> World:
    subnet = world.subnets["subnet-main00001a"]
    return world.evolve(subnets=world.subnets.set(subnet.subnet_id, replace(subnet, next_host=255)))


def no_default_sg(world: World) -> World:
    return world.evolve(security_groups=world.security_groups.delete("sg-maindefault"))


def small_ag(world: World) -> World:
    ag = world.availability_groups["ag-web00000001"]
    return world.evolve(availability_groups=world.availability_groups.set(
        ag.ag_id, replace(ag, azs=("cn-north-1a", "cn-north-1b"))))


def same(world: World) -> World:
    return world


AG = {"regionId": NORTH, "instanceSpec": {"name": "ag-web", "agId": "ag-web00000001"}}
TEMPLATE = {"regionId": NORTH,
            "instanceSpec": {"name": "from-lt", "instanceTemplateId": "lt-web00000001", "az": "cn-north-1b"}}
SIX_SGS = ["sg-maindefault", "sg-main000001", "sg-main000002", "sg-main000003", "sg-main000004", "sg-main000005"]
PREPAID = {"chargeMode": "prepaid_by_duration", "chargeUnit": "month", "chargeDuration": 1}

INVALID, NOT_FOUND, FAILED, QUOTA = "INVALID_ARGUMENT", "NOT_FOUND", "FAILED_PRECONDITION", "QUOTA_EXCEEDED"

@pytest.mark.parametrize(("rule_id", "status", "failing", "passing", "prepare"), [
    pytest.param("CREATE_INSTANCES.NORMAL_REQUIRED", INVALID, {S + "instanceType": DEL}, {}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.NORMAL_REQUIRED")),
    pytest.param("CREATE_INSTANCES.TEMPLATE_REQUIRED", INVALID,
                 {"instanceSpec": {"name": "t", "instanceTemplateId": "lt-web00000001"}}, TEMPLATE, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.TEMPLATE_REQUIRED")),
    pytest.param("CREATE_INSTANCES.AG_NO_OVERRIDE", INVALID,
                 {"instanceSpec": {"name": "a", "agId": "ag-web00000001", "instanceType": "g.n2.large"}}, AG, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.AG_NO_OVERRIDE")),
    pytest.param("CREATE_INSTANCES.TEMPLATE_EXISTS", NOT_FOUND, {S + "instanceTemplateId": "lt-missing0001"},
                 {S + "instanceTemplateId": "lt-web00000001"}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.TEMPLATE_EXISTS")),
    pytest.param("CREATE_INSTANCES.AG_EXISTS", NOT_FOUND, {"instanceSpec": {"name": "a", "agId": "ag-missing0001"}},
                 AG, same, marks=pytest.mark.rule("CREATE_INSTANCES.AG_EXISTS")),
    pytest.param("CREATE_INSTANCES.AG_AZ", INVALID,
                 {"instanceSpec": {"name": "a", "agId": "ag-web00000001", "az": "cn-north-1c"}},
                 {"instanceSpec": {"name": "a", "agId": "ag-web00000001", "az": "cn-north-1b"}}, small_ag,
                 marks=pytest.mark.rule("CREATE_INSTANCES.AG_AZ")),
    pytest.param("CREATE_INSTANCES.MAX_COUNT", INVALID, {"maxCount": 101}, {"maxCount": 3}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.MAX_COUNT")),
    pytest.param("CREATE_INSTANCES.CLIENT_TOKEN_LENGTH", INVALID, {"clientToken": "t" * 65},
                 {"clientToken": "t" * 64}, same, marks=pytest.mark.rule("CREATE_INSTANCES.CLIENT_TOKEN_LENGTH")),
    pytest.param("CREATE_INSTANCES.NAME", INVALID, {S + "name": "web.server"}, {S + "name": "web_服务器-[01]"}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.NAME")),
    pytest.param("CREATE_INSTANCES.ORDERED_NAME_RANGE", INVALID, {S + "name": "web-[9999]", "maxCount": 2},
                 {S + "name": "web-[9998]", "maxCount": 2}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.ORDERED_NAME_RANGE")),
    pytest.param("CREATE_INSTANCES.HOSTNAME", INVALID, {S + "hostname": "web_01"}, {S + "hostname": "web-01.lan"},
                 same, marks=pytest.mark.rule("CREATE_INSTANCES.HOSTNAME")),
    pytest.param("CREATE_INSTANCES.WINDOWS_HOSTNAME", INVALID, {**windows(), S + "hostname": "web.lan"},
                 {**windows(), S + "hostname": "web-01"}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.WINDOWS_HOSTNAME")),
    pytest.param("CREATE_INSTANCES.DESCRIPTION", INVALID, {S + "description": "d" * 257},
                 {S + "description": "d" * 256}, same, marks=pytest.mark.rule("CREATE_INSTANCES.DESCRIPTION")),
    pytest.param("CREATE_INSTANCES.PASSWORD", INVALID, {S + "password": "password1"}, {S + "password": PASSWORD},
                 same, marks=pytest.mark.rule("CREATE_INSTANCES.PASSWORD")),
    pytest.param("CREATE_INSTANCES.AZ_EXISTS", INVALID, {S + "az": "cn-north-1z"}, {S + "az": "cn-north-1c"}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.AZ_EXISTS")),
    pytest.param("CREATE_INSTANCES.SUBNET_REQUIRED", INVALID, {S + "primaryNetworkInterface": DEL}, {}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.SUBNET_REQUIRED")),
    pytest.param("CREATE_INSTANCES.SUBNET_EXISTS", NOT_FOUND, {NIC + "subnetId": "subnet-bobnet001a"},
                 {NIC + "subnetId": "subnet-main00001b"}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.SUBNET_EXISTS")),
    pytest.param("CREATE_INSTANCES.SUBNET_ADDRESSES", FAILED, {}, {NIC + "subnetId": "subnet-main00001b"},
                 subnet_full, marks=pytest.mark.rule("CREATE_INSTANCES.SUBNET_ADDRESSES")),
    pytest.param("CREATE_INSTANCES.PRIMARY_IP_SINGLE", INVALID, {NIC + "primaryIpAddress": "10.0.1.200", "maxCount": 2},
                 {NIC + "primaryIpAddress": "10.0.1.200", "maxCount": 1}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.PRIMARY_IP_SINGLE")),
    pytest.param("CREATE_INSTANCES.PRIMARY_IP_FORMAT", INVALID, {NIC + "primaryIpAddress": "10.0.1.300"},
                 {NIC + "primaryIpAddress": "10.0.1.30"}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.PRIMARY_IP_FORMAT")),
    pytest.param("CREATE_INSTANCES.PRIMARY_IP_IN_SUBNET", INVALID, {NIC + "primaryIpAddress": "10.0.2.30"},
                 {NIC + "primaryIpAddress": "10.0.1.254"}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.PRIMARY_IP_IN_SUBNET")),
    pytest.param("CREATE_INSTANCES.PRIMARY_IP_FREE", FAILED, {NIC + "primaryIpAddress": "10.0.1.250"},
                 {NIC + "primaryIpAddress": "10.0.1.100"}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.PRIMARY_IP_FREE")),
    pytest.param("CREATE_INSTANCES.SECURITY_GROUP_COUNT", INVALID, {NIC + "securityGroups": SIX_SGS},
                 {NIC + "securityGroups": SIX_SGS[:5]}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.SECURITY_GROUP_COUNT")),
    pytest.param("CREATE_INSTANCES.SECURITY_GROUPS_EXIST", NOT_FOUND, {NIC + "securityGroups": ["sg-missing0001"]},
                 {NIC + "securityGroups": ["sg-main000003"]}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.SECURITY_GROUPS_EXIST")),
    pytest.param("CREATE_INSTANCES.DEFAULT_SECURITY_GROUP", NOT_FOUND, {},
                 {NIC + "securityGroups": ["sg-main000001"]}, no_default_sg,
                 marks=pytest.mark.rule("CREATE_INSTANCES.DEFAULT_SECURITY_GROUP")),
    pytest.param("CREATE_INSTANCES.SECURITY_GROUP_VPC", INVALID, {NIC + "securityGroups": ["sg-second00001"]},
                 {NIC + "subnetId": "subnet-second001a", NIC + "securityGroups": ["sg-second00001"]}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.SECURITY_GROUP_VPC")),
    pytest.param("CREATE_INSTANCES.DEVICE_INDEX", INVALID, {S + "primaryNetworkInterface.deviceIndex": 2},
                 {S + "primaryNetworkInterface.deviceIndex": 1}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.DEVICE_INDEX")),
    pytest.param("CREATE_INSTANCES.NIC_AUTO_DELETE", INVALID, {S + "primaryNetworkInterface.autoDelete": False},
                 {S + "primaryNetworkInterface.autoDelete": True}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.NIC_AUTO_DELETE")),
    pytest.param("CREATE_INSTANCES.SANITY_CHECK", INVALID, {NIC + "sanityCheck": 2}, {NIC + "sanityCheck": 0}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.SANITY_CHECK")),
    pytest.param("CREATE_INSTANCES.NIC_NAME", INVALID, {NIC + "networkInterfaceName": "eni.main"},
                 {NIC + "networkInterfaceName": "eni-main"}, same, marks=pytest.mark.rule("CREATE_INSTANCES.NIC_NAME")),
    pytest.param("CREATE_INSTANCES.NIC_DESCRIPTION", INVALID, {NIC + "description": "n" * 257},
                 {NIC + "description": "n" * 256}, same, marks=pytest.mark.rule("CREATE_INSTANCES.NIC_DESCRIPTION")),
    pytest.param("CREATE_INSTANCES.EIP_BANDWIDTH", INVALID, {S + "elasticIp": {"bandwidthMbps": 101}},
                 {S + "elasticIp": {"bandwidthMbps": 100}}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.EIP_BANDWIDTH")),
    pytest.param("CREATE_INSTANCES.EIP_PROVIDER", INVALID, {S + "elasticIp": {"bandwidthMbps": 5, "provider": "cmcc"}},
                 {S + "elasticIp": {"bandwidthMbps": 5, "provider": "no_bgp"}}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.EIP_PROVIDER")),
    pytest.param("CREATE_INSTANCES.EIP_CHARGE_MODE", INVALID,
                 {S + "elasticIp": {"bandwidthMbps": 5, "chargeSpec": {"chargeMode": "free"}}},
                 {S + "elasticIp": {"bandwidthMbps": 5, "chargeSpec": {"chargeMode": "postpaid_by_usage"}}}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.EIP_CHARGE_MODE")),
    pytest.param("CREATE_INSTANCES.CHARGE_MODE", INVALID, {S + "charge": {"chargeMode": "postpaid_by_usage"}},
                 {S + "charge": PREPAID}, same, marks=pytest.mark.rule("CREATE_INSTANCES.CHARGE_MODE")),
    pytest.param("CREATE_INSTANCES.CHARGE_DURATION", INVALID,
                 {S + "charge": {**PREPAID, "chargeUnit": "year", "chargeDuration": 4}},
                 {S + "charge": {**PREPAID, "chargeUnit": "year", "chargeDuration": 3}}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.CHARGE_DURATION")),
    pytest.param("CREATE_INSTANCES.SYSTEM_DISK_CATEGORY", INVALID, {S + "systemDisk.diskCategory": "hybrid"}, {},
                 same, marks=pytest.mark.rule("CREATE_INSTANCES.SYSTEM_DISK_CATEGORY")),
    pytest.param("CREATE_INSTANCES.LOCAL_SYSTEM_DISK_SIZE", INVALID,
                 {**local_image(), S + "systemDisk.cloudDiskSpec": {"diskSizeGB": 40}}, local_image(), same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.LOCAL_SYSTEM_DISK_SIZE")),
    pytest.param("CREATE_INSTANCES.LOCAL_SYSTEM_DISK_AUTO_DELETE", INVALID,
                 {**local_image(), S + "systemDisk.autoDelete": False},
                 {**local_image(), S + "systemDisk.autoDelete": True}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.LOCAL_SYSTEM_DISK_AUTO_DELETE")),
    pytest.param("CREATE_INSTANCES.SYSTEM_DISK_TYPE", INVALID, {S + "systemDisk.cloudDiskSpec.diskType": "nvme"},
                 {S + "systemDisk.cloudDiskSpec.diskType": "premium-hdd"}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.SYSTEM_DISK_TYPE")),
    pytest.param("CREATE_INSTANCES.CLOUD_SYSTEM_DISK_SIZE", INVALID, {S + "systemDisk.cloudDiskSpec.diskSizeGB": 501},
                 {S + "systemDisk.cloudDiskSpec.diskSizeGB": 500}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.CLOUD_SYSTEM_DISK_SIZE")),
    pytest.param("CREATE_INSTANCES.CLOUD_SYSTEM_DISK_AUTO_DELETE", INVALID,
                 {S + "charge": PREPAID, S + "systemDisk.autoDelete": True},
                 {S + "charge": PREPAID, S + "systemDisk.autoDelete": False}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.CLOUD_SYSTEM_DISK_AUTO_DELETE")),
    pytest.param("CREATE_INSTANCES.SYSTEM_DISK_MATCHES_IMAGE", INVALID, {S + "systemDisk": {"diskCategory": "local"}},
                 local_image(), same, marks=pytest.mark.rule("CREATE_INSTANCES.SYSTEM_DISK_MATCHES_IMAGE")),
    pytest.param("CREATE_INSTANCES.SYSTEM_DISK_IMAGE_SIZE", INVALID,
                 {S + "imageId": "img-lampthird1", S + "systemDisk.cloudDiskSpec.diskSizeGB": 50},
                 {S + "imageId": "img-lampthird1", S + "systemDisk.cloudDiskSpec.diskSizeGB": 60}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.SYSTEM_DISK_IMAGE_SIZE")),
    pytest.param("CREATE_INSTANCES.DATA_DISK_CATEGORY", INVALID,
                 {S + "dataDisks": [{**cloud(100), "diskCategory": "local"}]}, {S + "dataDisks": [cloud(100)]}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_CATEGORY")),
    pytest.param("CREATE_INSTANCES.DATA_DISK_SPEC_REQUIRED", INVALID, {S + "dataDisks": [{"diskCategory": "cloud"}]},
                 {S + "dataDisks": [{"cloudDiskSpec": {"diskType": "ssd", "snapshotId": "snapshot-ssd0000001"}}]},
                 same, marks=pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_SPEC_REQUIRED")),
    pytest.param("CREATE_INSTANCES.DATA_DISK_TYPE", INVALID, {S + "dataDisks": [cloud(100, "nvme")]},
                 {S + "dataDisks": [cloud(100, "premium-hdd")]}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_TYPE")),
    pytest.param("CREATE_INSTANCES.DATA_DISK_SIZE_SSD", INVALID, {S + "dataDisks": [cloud(1010)]},
                 {S + "dataDisks": [cloud(1000), cloud(20)]}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_SIZE_SSD")),
    pytest.param("CREATE_INSTANCES.DATA_DISK_SIZE_SSD", INVALID, {S + "dataDisks": [cloud(25)]},
                 {S + "dataDisks": [cloud(30)]}, same, marks=pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_SIZE_SSD")),
    pytest.param("CREATE_INSTANCES.DATA_DISK_SIZE_HDD", INVALID, {S + "dataDisks": [cloud(3010, "premium-hdd")]},
                 {S + "dataDisks": [cloud(3000, "premium-hdd")]}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_SIZE_HDD")),
    pytest.param("CREATE_INSTANCES.DATA_DISK_DEVICE_NAME", INVALID,
                 {S + "dataDisks": [{**cloud(100), "deviceName": "vda"}]},
                 {S + "dataDisks": [{**cloud(100), "deviceName": "vdc"}, cloud(100)]}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_DEVICE_NAME")),
    pytest.param("CREATE_INSTANCES.DATA_DISK_COUNT_LOCAL", INVALID, {**local_image(), S + "dataDisks": [cloud(20)] * 9},
                 {**local_image(), S + "dataDisks": [cloud(20)] * 8}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_COUNT_LOCAL")),
    pytest.param("CREATE_INSTANCES.DATA_DISK_COUNT_CLOUD", INVALID, {S + "dataDisks": [cloud(20)] * 8},
                 {S + "dataDisks": [cloud(20)] * 7}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_COUNT_CLOUD")),
    pytest.param("CREATE_INSTANCES.DATA_DISK_SNAPSHOT_EXISTS", NOT_FOUND,
                 {S + "dataDisks": [cloud(100, snapshotId="snapshot-missing01")]},
                 {S + "dataDisks": [cloud(100, snapshotId="snapshot-ssd0000001")]}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_SNAPSHOT_EXISTS")),
    pytest.param("CREATE_INSTANCES.DATA_DISK_SNAPSHOT_SIZE", INVALID,
                 {S + "dataDisks": [cloud(50, "premium-hdd", snapshotId="snapshot-hdd0000001")]},
                 {S + "dataDisks": [cloud(100, "premium-hdd", snapshotId="snapshot-hdd0000001")]}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.DATA_DISK_SNAPSHOT_SIZE")),
    pytest.param("CREATE_INSTANCES.KEY_COUNT", INVALID, {S + "keyNames": ["alice-key", "ops-key"]},
                 {S + "keyNames": ["ops-key"]}, same, marks=pytest.mark.rule("CREATE_INSTANCES.KEY_COUNT")),
    pytest.param("CREATE_INSTANCES.KEYS_EXIST", NOT_FOUND, {S + "keyNames": ["nobody-key"]},
                 {S + "keyNames": ["alice-key"]}, same, marks=pytest.mark.rule("CREATE_INSTANCES.KEYS_EXIST")),
    pytest.param("CREATE_INSTANCES.KEY_LINUX_ONLY", INVALID, {**windows(), S + "keyNames": ["alice-key"]},
                 {S + "keyNames": ["alice-key"]}, same, marks=pytest.mark.rule("CREATE_INSTANCES.KEY_LINUX_ONLY")),
    pytest.param("CREATE_INSTANCES.TYPE_EXISTS", NOT_FOUND, {S + "instanceType": "x.n9.huge"},
                 {S + "instanceType": "c.n2.large"}, same, marks=pytest.mark.rule("CREATE_INSTANCES.TYPE_EXISTS")),
    pytest.param("CREATE_INSTANCES.TYPE_OFFLINE", FAILED, {S + "instanceType": "g.n1.small"},
                 {S + "instanceType": "g.n1.medium"}, same, marks=pytest.mark.rule("CREATE_INSTANCES.TYPE_OFFLINE")),
    pytest.param("CREATE_INSTANCES.TYPE_SOLD_OUT", FAILED, {S + "instanceType": "g.n2.4xlarge"},
                 {S + "instanceType": "g.n2.4xlarge", S + "az": "cn-north-1b"}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.TYPE_SOLD_OUT")),
    pytest.param("CREATE_INSTANCES.IMAGE_EXISTS", NOT_FOUND, {S + "imageId": "img-missing001"},
                 {S + "imageId": "img-ubuntu18cd"}, same, marks=pytest.mark.rule("CREATE_INSTANCES.IMAGE_EXISTS")),
    pytest.param("CREATE_INSTANCES.IMAGE_READY", FAILED, {}, {S + "imageId": "img-ubuntu18cd"},
                 with_image_status("pending"), marks=pytest.mark.rule("CREATE_INSTANCES.IMAGE_READY")),
    pytest.param("CREATE_INSTANCES.IMAGE_SUPPORTS_TYPE", INVALID,
                 {S + "imageId": "img-ubuntu18cd", S + "instanceType": "g.n1.medium"},
                 {S + "imageId": "img-centos7cld", S + "instanceType": "g.n1.medium"}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.IMAGE_SUPPORTS_TYPE")),
    pytest.param("CREATE_INSTANCES.WINDOWS_CPU", INVALID, {**windows(), S + "instanceType": "g.n2.24xlarge"},
                 {**windows(), S + "instanceType": "g.n2.xlarge"}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.WINDOWS_CPU")),
    pytest.param("CREATE_INSTANCES.SQL_SERVER_MEMORY", INVALID,
                 {**windows("img-win12sql14"), S + "instanceType": "g.n2.micro"},
                 {**windows("img-win12sql14"), S + "instanceType": "g.n2.medium"}, same,
                 marks=pytest.mark.rule("CREATE_INSTANCES.SQL_SERVER_MEMORY")),
    pytest.param("CREATE_INSTANCES.REAL_NAME", FAILED, {}, {}, with_account(real_name_verified=False),
                 marks=pytest.mark.rule("CREATE_INSTANCES.REAL_NAME")),
    pytest.param("CREATE_INSTANCES.QUOTA_INSTANCE", QUOTA, {}, {}, with_quota("instance", 0),
                 marks=pytest.mark.rule("CREATE_INSTANCES.QUOTA_INSTANCE")),
    pytest.param("CREATE_INSTANCES.QUOTA_CPU", QUOTA, {}, {S + "instanceType": "g.n2.micro"},
                 with_quota("instance_cpu", 1), marks=pytest.mark.rule("CREATE_INSTANCES.QUOTA_CPU")),
    pytest.param("CREATE_INSTANCES.QUOTA_MEMORY", QUOTA, {}, {S + "instanceType": "g.n2.micro"},
                 with_quota("instance_memory", 4), marks=pytest.mark.rule("CREATE_INSTANCES.QUOTA_MEMORY")),
])
def test_rule(world: World, rule_id: str, status: str, failing: dict[str, Any], passing: dict[str, Any],
              prepare: Callable[[World], World]) -> None:
    world = prepare(world)
    if rule_id in ("CREATE_INSTANCES.REAL_NAME", "CREATE_INSTANCES.QUOTA_INSTANCE"):
        ok(create(World.default(), passing))  # the unchanged account passes
    else:
        ok(create(world, passing))
    out = create(world, failing)
    refused(out, rule_id, status)
    assert out.world is world


# ---- a full specification, seen through the views ---------------------------------------------------


FULL = {
    S + "name": "app-[01]",
    S + "description": "full spec",
    S + "password": PASSWORD,
    S + "keyNames": ["alice-key"],
    S + "elasticIp": {"bandwidthMbps": 20, "provider": "bgp"},
    NIC + "securityGroups": ["sg-main000001", "sg-main000002"],
    S + "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 80}},
    S + "dataDisks": [cloud(100, az="cn-north-1b"),
                      {**cloud(200, "premium-hdd"), "autoDelete": False, "deviceName": "vdd"}],
    "maxCount": 2,
}


def test_full_spec_pending_then_running(world: World) -> None:
    out = create(world, FULL)
    new = ok(out)
    ids = out.result["instanceIds"]
    assert len(ids) == 2
    for n, iid in enumerate(ids, start=1):
        inst = new.instances[iid]
        assert inst.status == "pending" and new.tasks[iid].kind == "createInstances"
        assert inst.name == f"app-{n:02d}" and inst.hostname == f"app-{n:02d}"
        assert inst.password_digest is not None and PASSWORD not in repr(inst)
    settled = settle(new)
    assert not settled.tasks
    for iid in ids:
        view = instance_view(settled, settled.instances[iid])
        assert view["status"] == "running"
        assert view["systemDisk"]["diskCategory"] == "cloud"
        assert view["systemDisk"]["cloudDisk"]["diskSizeGB"] == 80
        disks = {d["deviceName"]: d for d in view["dataDisks"]}
        assert set(disks) == {"vdb", "vdd"}
        assert disks["vdb"]["cloudDisk"]["diskSizeGB"] == 100 and disks["vdb"]["autoDelete"] is True
        assert disks["vdb"]["cloudDisk"]["az"] == "cn-north-1a"  # the VM's az overrides the disk's
        assert disks["vdd"]["cloudDisk"]["diskType"] == "premium-hdd" and disks["vdd"]["autoDelete"] is False
        nic = view["primaryNetworkInterface"]
        assert nic["deviceIndex"] == 1 and nic["autoDelete"] is True
        assert [g["groupId"] for g in nic["networkInterface"]["securityGroups"]] == ["sg-main000001",
                                                                                     "sg-main000002"]
        assert view["elasticIpAddress"] and nic["networkInterface"]["primaryIp"]["elasticIpId"] == view["elasticIpId"]
        eip = settled.elastic_ips[view["elasticIpId"]]
        assert eip.bandwidth_mbps == 20 and eip.instance_id == iid and eip.charge.mode == "postpaid_by_usage"
        assert view["keyNames"] == ["alice-key"]
    assert recount_usage(settled) == settled.usage
    assert settled.used("alice", NORTH, "instance") == 2
    assert settled.used("alice", NORTH, "instance_cpu") == 4


@pytest.mark.effect("CREATE_INSTANCES.SYSTEM_DISK_SIZE_DEFAULT", "CREATE_INSTANCES.DEFAULT_SECURITY_GROUP_USED")
def test_defaults(world: World) -> None:
    out = create(world, {S + "systemDisk.cloudDiskSpec.diskSizeGB": DEL})
    new = ok(out)
    inst = new.instances[out.result["instanceIds"][0]]
    assert new.disks[inst.system_disk.disk_id or ""].size_gb == 40  # the image's size
    nic = new.network_interfaces[inst.primary_nic_id]
    assert nic.security_group_ids == ("sg-maindefault",)  # the VPC's default group
    assert inst.charge is not None and inst.charge.mode == "postpaid_by_duration"
    assert inst.system_disk.auto_delete is True


def test_local_system_disk_is_40_gb_and_auto_deleted(world: World) -> None:
    out = create(world, local_image())
    new = ok(out)
    view = instance_view(new, new.instances[out.result["instanceIds"][0]])
    assert view["systemDisk"]["localDisk"]["diskSizeGB"] == 40 and view["systemDisk"]["autoDelete"] is True


@pytest.mark.effect("CREATE_INSTANCES.DISKS_FOLLOW_INSTANCE_BILLING", "CREATE_INSTANCES.DATA_DISK_AUTO_DELETE_DEFAULT")
def test_prepaid_disks_do_not_auto_delete(world: World) -> None:
    out = create(world, {S + "charge": PREPAID, S + "dataDisks": [cloud(100)],
                         S + "elasticIp": {"bandwidthMbps": 5, "chargeSpec": PREPAID}})
    new = ok(out)
    inst = new.instances[out.result["instanceIds"][0]]
    assert inst.charge is not None and inst.charge.expire_time == world.clock + 30 * 86400
    assert inst.system_disk.auto_delete is False and inst.data_disks[0].auto_delete is False
    assert new.disks[inst.data_disks[0].disk_id].charge.mode == "prepaid_by_duration"  # disks follow the VM
    eip = new.elastic_ips[new.network_interfaces[inst.primary_nic_id].elastic_ip_id or ""]
    assert eip.charge.mode == "prepaid_by_duration"  # not by usage: follows the instance


@pytest.mark.effect("CREATE_INSTANCES.DATA_DISK_AUTO_DELETE_DEFAULT")
def test_shared_data_disk_does_not_auto_delete(world: World) -> None:
    out = create(world, {S + "dataDisks": [cloud(100, multiAttachable=True)]})
    new = ok(out)
    inst = new.instances[out.result["instanceIds"][0]]
    assert inst.data_disks[0].auto_delete is False and new.disks[inst.data_disks[0].disk_id].multi_attachable


def test_primary_ip_is_used_and_never_handed_out_again(world: World) -> None:
    out = create(world, {NIC + "primaryIpAddress": "10.0.1.100"})
    new = ok(out)
    inst = new.instances[out.result["instanceIds"][0]]
    assert new.network_interfaces[inst.primary_nic_id].private_ip == "10.0.1.100"
    refused(create(new, {NIC + "primaryIpAddress": "10.0.1.100"}), "CREATE_INSTANCES.PRIMARY_IP_FREE", FAILED)
    from vmrules.builders import allocate_ip

    handed, later = set(), new
    for _ in range(100):
        ip, later = allocate_ip(later, "subnet-main00001a")
        handed.add(ip)
    assert "10.0.1.100" not in handed and "10.0.1.101" in handed
    assert not handed & {"10.0.1.250", "10.0.1.251", "10.0.1.252", "10.0.1.253"}  # the default world's ENIs


# ---- modes ------------------------------------------------------------------------------------------


def test_template_mode_takes_the_template_and_overrides(world: World) -> None:
    out = execute(world, "createInstances", TEMPLATE)
    new = ok(out)
    inst = new.instances[out.result["instanceIds"][0]]
    assert (inst.instance_type, inst.image_id, inst.az) == ("g.n2.medium", "img-centos7cld", "cn-north-1b")
    assert [new.disks[d.disk_id].disk_type for d in inst.data_disks] == ["premium-hdd"]
    assert new.network_interfaces[inst.primary_nic_id].elastic_ip_id is not None  # the template's 5 Mbps EIP
    params = copy.deepcopy(TEMPLATE)
    params["instanceSpec"].update(instanceType="g.n2.large", imageId="img-ubuntu18cd")
    out = execute(world, "createInstances", params)
    inst = ok(out).instances[out.result["instanceIds"][0]]
    assert (inst.instance_type, inst.image_id) == ("g.n2.large", "img-ubuntu18cd")
    assert inst.data_disks == ()  # another image drops the template's data disks
    params = copy.deepcopy(TEMPLATE)
    params["instanceSpec"]["dataDisks"] = [{"deviceName": "vdb", "noDevice": True}]
    out = execute(world, "createInstances", params)
    assert ok(out).instances[out.result["instanceIds"][0]].data_disks == ()


def test_template_values_are_checked_like_given_ones(world: World) -> None:
    template = world.templates["lt-web00000001"]
    broken = world.evolve(templates=world.templates.set(template.template_id,
                                                        replace(template, instance_type="g.n1.small")))
    refused(execute(broken, "createInstances", TEMPLATE), "CREATE_INSTANCES.TYPE_OFFLINE", FAILED)


def test_ag_mode_spreads_over_the_group_azs(world: World) -> None:
    params = copy.deepcopy(AG)
    params["maxCount"] = 4
    out = execute(world, "createInstances", params)
    new = ok(out)
    insts = [new.instances[i] for i in out.result["instanceIds"]]
    assert [i.az for i in insts] == ["cn-north-1a", "cn-north-1b", "cn-north-1c", "cn-north-1a"]
    assert all(i.ag_id == "ag-web00000001" and i.instance_type == "g.n2.medium" for i in insts)


# ---- count, idempotency, check ----------------------------------------------------------------------


@pytest.mark.effect("CREATE_INSTANCES.MAX_COUNT_BEST_EFFORT")
def test_max_count_is_best_effort_within_quota(world: World) -> None:
    world = with_quota("instance", 3)(world)
    out = create(world, {"maxCount": 5})
    new = ok(out)
    assert len(out.result["instanceIds"]) == 3
    refused(create(new, {}), "CREATE_INSTANCES.QUOTA_INSTANCE", QUOTA)
    cpu = with_quota("instance_cpu", 5)(World.default())  # g.n2.medium has 2 CPUs: 2 fit
    assert len(ok_result(create(cpu, {"maxCount": 4}))) == 2


def ok_result(out: Any) -> list[str]:
    ok(out)
    ids: list[str] = out.result["instanceIds"]
    return ids


@pytest.mark.effect("CREATE_INSTANCES.CLIENT_TOKEN_REPLAY")
def test_client_token_replay_returns_the_first_result(world: World) -> None:
    first = create(world, {"clientToken": "tok-1", "maxCount": 2})
    after = ok(first)
    full = with_quota("instance", 2)(after)  # the quota is now used up
    replay = create(full, {"clientToken": "tok-1", "maxCount": 2})
    assert replay.ok and replay.result == first.result and replay.world is full
    assert check(full, "createInstances", request({"clientToken": "tok-1"})) == []
    refused(create(full, {"clientToken": "tok-2"}), "CREATE_INSTANCES.QUOTA_INSTANCE", QUOTA)
    # tokens are per account: bob's tok-1 is a new request
    assert create(after, {"clientToken": "tok-1", NIC + "subnetId": "subnet-bobnet001a"}, caller="bob").ok


@pytest.mark.effect("CREATE_INSTANCES.CLIENT_TOKEN_REPLAY")
def test_an_empty_client_token_is_no_token(world: World) -> None:
    first = create(world, {"clientToken": ""})
    after = ok(first)
    assert after.client_tokens == world.client_tokens  # nothing recorded
    again = create(after, {"clientToken": ""})  # a new request: new instances, and its rules are checked
    assert again.ok and set(again.result["instanceIds"]).isdisjoint(first.result["instanceIds"])
    refused(create(after, {"clientToken": "", "maxCount": 0}), "CREATE_INSTANCES.MAX_COUNT", INVALID)
    one = ok(create(after, {"clientToken": "x"}))  # a one-character token is a token
    assert create(one, {"clientToken": "x", "maxCount": 0}).ok


def test_check_lists_violations_in_precedence_order(world: World) -> None:
    world = with_account(real_name_verified=False)(world)
    errors = check(world, "createInstances", request({
        "maxCount": 0,
        S + "imageId": "img-missing001",
        NIC + "securityGroups": ["sg-second00001"],
        S + "instanceType": "g.n1.small",
    }))
    rules = [e.rule for e in errors]
    assert rules == ["CREATE_INSTANCES.MAX_COUNT", "CREATE_INSTANCES.IMAGE_EXISTS",
                     "CREATE_INSTANCES.SECURITY_GROUP_VPC", "CREATE_INSTANCES.REAL_NAME",
                     "CREATE_INSTANCES.TYPE_OFFLINE"]
    assert [e.status for e in errors] == [INVALID, NOT_FOUND, INVALID, FAILED, FAILED]
    first = create(world, {"maxCount": 0, S + "imageId": "img-missing001"})
    assert first.error is not None and first.error.rule == "CREATE_INSTANCES.MAX_COUNT"


def test_bad_shapes_are_invalid_argument(world: World) -> None:
    for params in ({"regionId": NORTH}, request({S + "name": 5}), request({"maxCount": "2"}),
                   request({S + "dataDisks": {"a": 1}}), request({S + "elasticIp": {"provider": "bgp"}})):
        out = execute(world, "createInstances", params)
        assert out.error is not None and out.error.status == INVALID and out.error.field
