"""createInstances: one or more instances of one specification, in three modes (fact sheet §3.6 and §4).

* normal — every value comes from ``instanceSpec``;
* launch template (``instanceTemplateId``) — the template's values, each overridable by ``instanceSpec``;
* availability group (``agId``) — the group's template, not overridable; the instances are spread over the
  group's AZs.

The context first resolves the mode into one effective ``Plan`` (what would be created), and every rule looks
at the plan, so that a value taken from a template is checked exactly like one given in the request. A
``clientToken`` seen before from the same account and region is a replay: it is decided before any rule, every
rule but the token's own holds, and ``apply`` returns the first call's ``instanceIds`` without creating anything.

``maxCount`` is best effort: as many instances are created as the instance, CPU and memory quotas and the
subnet's free addresses allow (QUOTA_EXCEEDED only when not even one fits). See docs/decisions/create-instances.md.
"""

from __future__ import annotations

from vmrules.effects import StatusChange, default, effect, status
from vmrules.operation import Operation
from vmrules.operations.common import Completion, region_exists
from vmrules.operations.create.plan import CreateCtx, DiskPlan, Plan, create_context, is_replay
from vmrules.operations.create.request import (
    ChargeSpec,
    CreateInstancesRequest,
    DiskAttachmentSpec,
    DiskSpec,
    ElasticIpSpec,
    InstanceSpec,
    NetworkInterfaceAttachmentSpec,
    NetworkInterfaceSpec,
)
from vmrules.operations.create.rules_account import (
    az_exists,
    image_exists,
    image_ready,
    image_supports_type,
    key_count,
    key_linux_only,
    keys_exist,
    quota_cpu,
    quota_instance,
    quota_memory,
    real_name,
    sql_server_memory,
    type_exists,
    type_offline,
    type_sold_out,
    windows_cpu,
)
from vmrules.operations.create.rules_billing import charge_duration, charge_mode, eip_charge_mode
from vmrules.operations.create.rules_disks import (
    cloud_system_disk_auto_delete,
    cloud_system_disk_size,
    data_disk_auto_delete,
    data_disk_category,
    data_disk_count_cloud,
    data_disk_count_local,
    data_disk_device_name,
    data_disk_size_hdd,
    data_disk_size_ssd,
    data_disk_snapshot_exists,
    data_disk_snapshot_size,
    data_disk_spec_required,
    data_disk_type,
    local_system_disk_auto_delete,
    local_system_disk_size,
    system_disk_category,
    system_disk_image_size,
    system_disk_matches_image,
    system_disk_type,
)
from vmrules.operations.create.rules_mode import (
    ag_az,
    ag_exists,
    ag_no_override,
    client_token_length,
    max_count,
    normal_required,
    template_exists,
    template_required,
)
from vmrules.operations.create.rules_names import (
    description,
    hostname,
    name,
    ordered_name_range,
    password,
    windows_hostname,
)
from vmrules.operations.create.rules_network import (
    default_security_group,
    device_index,
    eip_bandwidth,
    eip_provider,
    nic_auto_delete,
    nic_description,
    nic_name,
    primary_ip_format,
    primary_ip_free,
    primary_ip_in_subnet,
    primary_ip_single,
    sanity_check,
    security_group_count,
    security_group_vpc,
    security_groups_exist,
    subnet_addresses,
    subnet_exists,
    subnet_required,
)
from vmrules.operations.create.transition import apply, created, default_hostname
from vmrules.rules import sdk_doc, seed

# The package is split by area (request, plan, rules_*, transition); these are the names it offers.
__all__ = [
    "COMPLETIONS", "CREATE_INSTANCES", "OPERATIONS", "ChargeSpec", "CreateCtx", "CreateInstancesRequest",
    "DiskAttachmentSpec", "DiskPlan", "DiskSpec", "ElasticIpSpec", "InstanceSpec", "NetworkInterfaceAttachmentSpec",
    "NetworkInterfaceSpec", "Plan", "create_context", "default_hostname",
]


RUNNING_WHEN_CREATED = status(
    "CREATE_INSTANCES.RUNNING_WHEN_CREATED",
    "Each new instance is pending until its task completes, then running.",
    seed("创建完成后，主机状态为running"),
    StatusChange("instance", (), "pending", "running", "createInstances"),
)
MAX_COUNT_DEFAULT = default(
    "CREATE_INSTANCES.MAX_COUNT_DEFAULT", "maxCount", "1",
    "Without maxCount one instance is created.",
    sdk_doc("createInstances maxCount: 购买实例数量；取值范围：[1,100]，默认为1"),
)
MAX_COUNT_BEST_EFFORT = effect(
    "CREATE_INSTANCES.MAX_COUNT_BEST_EFFORT", "result",
    "As many instances as the instance, CPU and memory quotas leave room for are created, up to maxCount, and "
    "their ids returned in order; only when not even one fits is the request refused.",
    seed("maxCount为最大努力，不保证一定能达到maxCount"),
)
VM_AZ_OVERRIDES_DISK_AZ = effect(
    "CREATE_INSTANCES.VM_AZ_OVERRIDES_DISK_AZ", "change",
    "Every disk created with the instance is in the instance's availability zone; a disk spec's own az is "
    "ignored.",
    seed("虚机的az会覆盖磁盘的az属性"),
)
DISKS_FOLLOW_INSTANCE_BILLING = effect(
    "CREATE_INSTANCES.DISKS_FOLLOW_INSTANCE_BILLING", "change",
    "The cloud disks created with the instance take the instance's billing; a disk spec's own charge is ignored.",
    seed("云硬盘的计费模式以主机为准"),
)
DATA_DISK_AUTO_DELETE_DEFAULT = default(
    "CREATE_INSTANCES.DATA_DISK_AUTO_DELETE_DEFAULT", "instanceSpec.dataDisks[].autoDelete", "true",
    "A data disk is deleted with the instance unless autoDelete is false; a prepaid or shared data disk always "
    "gets false.",
    seed("默认自动删除，如果是包年包月的数据盘或共享型数据盘，此参数不生效"),
)
DATA_DISK_FROM_SNAPSHOT = default(
    "CREATE_INSTANCES.DATA_DISK_FROM_SNAPSHOT", "instanceSpec.dataDisks[].cloudDiskSpec.diskSizeGB",
    "the snapshot's size, when snapshotId is given",
    "A data disk with snapshotId is created from that snapshot (the disk records it); without diskSizeGB it has "
    "the snapshot's size.",
    seed("可以指定SnapshotId创建云硬盘"),
)
SYSTEM_DISK_SIZE_DEFAULT = default(
    "CREATE_INSTANCES.SYSTEM_DISK_SIZE_DEFAULT", "instanceSpec.systemDisk.cloudDiskSpec.diskSizeGB",
    "the image's system disk size",
    "A cloud system disk without diskSizeGB has the image's system disk size.",
    seed("如果没有指定，默认以镜像中的系统盘大小为准"),
)
DEFAULT_SECURITY_GROUP_USED = default(
    "CREATE_INSTANCES.DEFAULT_SECURITY_GROUP_USED",
    "instanceSpec.primaryNetworkInterface.networkInterface.securityGroups", "the VPC's default security group",
    "Without securityGroups the primary interface is in the subnet's VPC's default security group.",
    seed("如果没有指定安全组，默认使用默认安全组"),
)
PRIMARY_DEVICE_INDEX = default(
    "CREATE_INSTANCES.PRIMARY_DEVICE_INDEX", "instanceSpec.primaryNetworkInterface.deviceIndex", "1",
    "The primary network interface is at deviceIndex 1.",
    seed("主网卡deviceIndex设置为1"),
)
CLIENT_TOKEN_REPLAY = effect(
    "CREATE_INSTANCES.CLIENT_TOKEN_REPLAY", "result",
    "A request repeating an earlier clientToken of the same account and region creates nothing, checks no rule "
    "and returns the first request's instanceIds. An empty clientToken is no token.",
    sdk_doc("createInstances clientToken: 用于保证请求的幂等性。由客户端生成，长度不能超过64个字符"),
    field="clientToken",
)


CREATE_INSTANCES = Operation[CreateInstancesRequest, CreateCtx](
    name="createInstances",
    method="POST",
    path="/regions/{regionId}/instances",
    summary="创建一台或多台指定配置的云主机，创建模式分为三种：1.普通方式、2.使用高可用组、3.使用启动模板。",
    request=CreateInstancesRequest,
    context=create_context,
    replayed=is_replay,
    rules=(
        region_exists, client_token_length, max_count, normal_required, template_required, ag_no_override,
        subnet_required, name, ordered_name_range, hostname, description, password, az_exists,
        primary_ip_single, primary_ip_format, security_group_count, device_index, nic_auto_delete, sanity_check,
        nic_name, nic_description, eip_bandwidth, eip_provider, eip_charge_mode, charge_mode, charge_duration,
        system_disk_category, local_system_disk_size, local_system_disk_auto_delete, system_disk_type,
        cloud_system_disk_size, cloud_system_disk_auto_delete, data_disk_category, data_disk_spec_required,
        data_disk_type, data_disk_size_ssd, data_disk_size_hdd, data_disk_device_name, data_disk_auto_delete,
        data_disk_count_local,
        data_disk_count_cloud, key_count,
        template_exists, ag_exists, type_exists, image_exists, subnet_exists, security_groups_exist,
        default_security_group, keys_exist, data_disk_snapshot_exists,
        ag_az, image_supports_type, windows_cpu, sql_server_memory, system_disk_matches_image,
        system_disk_image_size, windows_hostname, key_linux_only, security_group_vpc, primary_ip_in_subnet,
        data_disk_snapshot_size,
        real_name, type_offline, type_sold_out, image_ready, subnet_addresses, primary_ip_free,
        quota_instance, quota_cpu, quota_memory,
    ),
    apply=apply,
    effects=(RUNNING_WHEN_CREATED, MAX_COUNT_DEFAULT, MAX_COUNT_BEST_EFFORT, VM_AZ_OVERRIDES_DISK_AZ,
             DISKS_FOLLOW_INSTANCE_BILLING, DATA_DISK_AUTO_DELETE_DEFAULT, DATA_DISK_FROM_SNAPSHOT,
             SYSTEM_DISK_SIZE_DEFAULT, DEFAULT_SECURITY_GROUP_USED, PRIMARY_DEVICE_INDEX, CLIENT_TOKEN_REPLAY),
)

OPERATIONS = (CREATE_INSTANCES,)
COMPLETIONS: dict[str, Completion] = {"createInstances": created}
