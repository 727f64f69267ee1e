"""Which rules and effects each seed sentence states, by sentence id (``operation.number``, as
vmrules.docgen.seedtext numbers them): written down by hand, not found by substring matching.

A sentence maps to the ids of the rules and effects whose seed quote lies in it, or to a ``Reason`` when it
states neither: a heading of the bullets below it, a link to another page, a statement of what the operation is
for, a restatement of another sentence, or something outside the model. The generator checks every entry: the
sentence exists, each id names a rule or an effect whose verbatim seed quote lies in that sentence, and every
seed sentence has an entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ReasonKind = Literal["heading", "link", "purpose", "repeat", "outside"]


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a sentence is traced to no rule and no effect."""

    kind: ReasonKind
    text: str


HEADING = Reason("heading", "a heading of the bullets below it; the bullets carry the constraints")
LINK = Reason("link", "links to another API page for information; no behaviour of its own")
PURPOSE = Reason("purpose", "says what the operation is for; what it does is listed as its effects")

TRACE: dict[str, tuple[str, ...] | Reason] = {
    "associateElasticIp.1": ("ASSOCIATE_ELASTIC_IP.BINDS_PRIMARY_IP", "ASSOCIATE_ELASTIC_IP.PRIMARY_INTERFACE"),
    "associateElasticIp.2": ("ASSOCIATE_ELASTIC_IP.ONE_PER_INSTANCE",),
    "attachDisk.1": ("ATTACH_DISK.ATTACHES", "ATTACH_DISK.DISK_NO_TASK", "ATTACH_DISK.NO_TASK"),
    "attachDisk.2": ("ATTACH_DISK.STATUS_RUNNING_OR_STOPPED",),
    "attachDisk.3": ("ATTACH_DISK.DATA_DISK_LIMIT",),
    "attachNetworkInterface.1": ("ATTACH_NETWORK_INTERFACE.ATTACHES",),
    "attachNetworkInterface.2": ("ATTACH_NETWORK_INTERFACE.NO_TASK",
                                 "ATTACH_NETWORK_INTERFACE.STATUS_RUNNING_OR_STOPPED"),
    "attachNetworkInterface.3": ("ATTACH_NETWORK_INTERFACE.ELASTIC_IP_AZ",),
    "attachNetworkInterface.4": ("ATTACH_NETWORK_INTERFACE.NIC_LIMIT",),
    "attachNetworkInterface.5": LINK,
    "attachNetworkInterface.6": ("ATTACH_NETWORK_INTERFACE.SAME_VPC",),
    "copyImages.1": ("COPY_IMAGES.COPIES", "COPY_IMAGES.OTHER_REGION", "COPY_IMAGES.OWN_PRIVATE"),
    "copyImages.2": ("COPY_IMAGES.CLOUD_DISK_ONLY",),
    "createImage.1": PURPOSE,
    "createImage.2": ("CREATE_IMAGE.STATUS_STOPPED",),
    "createImage.3": ("CREATE_IMAGE.NO_TASK",),
    "createImage.4": ("CREATE_IMAGE.DATA_DISK_NO_DEVICE_ATTACHED", "CREATE_IMAGE.SNAPSHOTS_LINKED",
                      "CREATE_IMAGE.WHOLE_MACHINE_DEFAULT"),
    "createImage.5": ("COPY_IMAGES.SOURCE_READY", "CREATE_IMAGE.CREATES", "CREATE_INSTANCES.IMAGE_READY",
                      "REBUILD_INSTANCE.IMAGE_READY", "SHARE_IMAGE.READY"),
    "createInstances.1": Reason("purpose", "says what the operation is for and names its three modes; the modes' "
                                 "parameters are rules with source guide or inferred"),
    "createInstances.2": Reason("link", "links to the 参数详细说明 page; the per-mode required parameters it gives are "
                                        "rules with source guide"),
    "createInstances.3": ("CREATE_INSTANCES.REAL_NAME",),
    "createInstances.4": HEADING,
    "createInstances.5": LINK,
    "createInstances.6": ("CREATE_INSTANCES.TYPE_OFFLINE", "CREATE_INSTANCES.TYPE_SOLD_OUT"),
    "createInstances.7": HEADING,
    "createInstances.8": ("CREATE_INSTANCES.SQL_SERVER_MEMORY", "REBUILD_INSTANCE.SQL_SERVER_MEMORY",
                          "RESIZE_INSTANCE.SQL_SERVER_MEMORY"),
    "createInstances.9": ("CREATE_INSTANCES.WINDOWS_CPU", "REBUILD_INSTANCE.WINDOWS_CPU",
                          "RESIZE_INSTANCE.WINDOWS_CPU"),
    "createInstances.10": LINK,
    "createInstances.11": ("CREATE_INSTANCES.IMAGE_SUPPORTS_TYPE",),
    "createInstances.12": LINK,
    "createInstances.13": HEADING,
    "createInstances.14": HEADING,
    "createInstances.15": ("CREATE_INSTANCES.SUBNET_REQUIRED",),
    "createInstances.16": ("CREATE_INSTANCES.EIP_BANDWIDTH",),
    "createInstances.17": ("CREATE_INSTANCES.PRIMARY_IP_SINGLE",),
    "createInstances.18": ("CREATE_INSTANCES.SECURITY_GROUP_VPC",),
    "createInstances.19": ("CREATE_INSTANCES.DEFAULT_SECURITY_GROUP", "CREATE_INSTANCES.DEFAULT_SECURITY_GROUP_USED",
                           "CREATE_INSTANCES.SECURITY_GROUP_COUNT"),
    "createInstances.20": ("CREATE_INSTANCES.DEVICE_INDEX", "CREATE_INSTANCES.PRIMARY_DEVICE_INDEX"),
    "createInstances.21": HEADING,
    "createInstances.22": HEADING,
    "createInstances.23": ("CREATE_INSTANCES.SYSTEM_DISK_CATEGORY",),
    "createInstances.24": HEADING,
    "createInstances.25": ("CREATE_INSTANCES.LOCAL_SYSTEM_DISK_SIZE",),
    "createInstances.26": ("CREATE_INSTANCES.CLOUD_SYSTEM_DISK_SIZE", "CREATE_INSTANCES.SYSTEM_DISK_IMAGE_SIZE",
                           "CREATE_INSTANCES.SYSTEM_DISK_SIZE_DEFAULT"),
    "createInstances.27": HEADING,
    "createInstances.28": ("CREATE_INSTANCES.LOCAL_SYSTEM_DISK_AUTO_DELETE",),
    "createInstances.29": ("CREATE_INSTANCES.CLOUD_SYSTEM_DISK_AUTO_DELETE",),
    "createInstances.30": HEADING,
    "createInstances.31": ("CREATE_INSTANCES.DATA_DISK_CATEGORY",),
    "createInstances.32": ("CREATE_INSTANCES.DATA_DISK_TYPE",),
    "createInstances.33": HEADING,
    "createInstances.34": ("CREATE_INSTANCES.DATA_DISK_SIZE_HDD",),
    "createInstances.35": ("CREATE_INSTANCES.DATA_DISK_SIZE_SSD",),
    "createInstances.36": HEADING,
    "createInstances.37": ("CREATE_INSTANCES.DATA_DISK_AUTO_DELETE_DEFAULT",),
    "createInstances.38": ("CREATE_INSTANCES.DATA_DISK_FROM_SNAPSHOT",),
    "createInstances.39": Reason("repeat", "restates createInstances.38 (a data disk may be created from a "
                                           "snapshot): CREATE_INSTANCES.DATA_DISK_FROM_SNAPSHOT"),
    "createInstances.40": ("CREATE_INSTANCES.DATA_DISK_COUNT_LOCAL",),
    "createInstances.41": ("CREATE_INSTANCES.DATA_DISK_COUNT_CLOUD",),
    "createInstances.42": HEADING,
    "createInstances.43": ("CREATE_INSTANCES.EIP_CHARGE_MODE",),
    "createInstances.44": ("CREATE_INSTANCES.DISKS_FOLLOW_INSTANCE_BILLING",),
    "createInstances.45": HEADING,
    "createInstances.46": ("CREATE_INSTANCES.RUNNING_WHEN_CREATED",),
    "createInstances.47": ("CREATE_INSTANCES.KEY_LINUX_ONLY", "REBUILD_INSTANCE.KEYPAIR_LINUX_ONLY"),
    "createInstances.48": ("CREATE_INSTANCES.MAX_COUNT_BEST_EFFORT", "CREATE_INSTANCES.QUOTA_INSTANCE"),
    "createInstances.49": ("CREATE_INSTANCES.VM_AZ_OVERRIDES_DISK_AZ",),
    "createInstances.50": HEADING,
    "createInstances.51": Reason("link", "links to the public parameter rules (公共参数规范); the password "
                                         "rules it gives are rules with source guide"),
    "deleteImage.1": ("DELETE_IMAGE.DELETES", "DELETE_IMAGE.OWN_PRIVATE"),
    "deleteImage.2": ("DELETE_IMAGE.NOT_SHARED",),
    "deleteInstance.1": ("DELETE_INSTANCE.DELETES",),
    "deleteInstance.2": ("DELETE_INSTANCE.BILLING_INFO",),
    "deleteInstance.3": ("DELETE_INSTANCE.NO_TASK", "DELETE_INSTANCE.STATUS"),
    "deleteInstance.4": ("DELETE_INSTANCE.PREPAID_EXPIRED",),
    "deleteInstance.5": ("DELETE_INSTANCE.REMOVES_AUTO_DELETE_DISKS",),
    "deleteInstance.6": Reason("outside", "MFA protection is an optional account setting checked by the gateway "
                                          "before the API runs; no parameter or state of the model is involved"),
    "describeImage.1": PURPOSE,
    "describeImageConstraints.1": PURPOSE,
    "describeImageConstraints.2": ("DESCRIBE_IMAGE_CONSTRAINTS.UNSUPPORTED_TYPES",),
    "describeImageConstraints.3": ("DESCRIBE_IMAGE_CONSTRAINTS.PRIVATE_UNCONSTRAINED",),
    "describeImageConstraintsBatch.1": PURPOSE,
    "describeImageConstraintsBatch.2": ("DESCRIBE_IMAGE_CONSTRAINTS_BATCH.UNSUPPORTED_TYPES",),
    "describeImageConstraintsBatch.3": ("DESCRIBE_IMAGE_CONSTRAINTS_BATCH.PRIVATE_UNCONSTRAINED",),
    "describeImageMembers.1": ("DESCRIBE_IMAGE_MEMBERS.OWN_PRIVATE",),
    "describeImages.1": PURPOSE,
    "describeImages.2": ("DESCRIBE_IMAGES.LISTS_VISIBLE_IMAGES", "DESCRIBE_IMAGES.SOURCE",
                         "SHARE_IMAGE.VISIBLE_TO_MEMBERS"),
    "describeImages.3": ("DESCRIBE_IMAGES.DEFAULT_PAGE_SIZE", "DESCRIBE_IMAGES.PAGE_SIZE"),
    "describeInstance.1": PURPOSE,
    "describeInstancePrivateIpAddress.1": ("DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS.PRIMARY_IP",),
    "describeInstanceStatus.1": PURPOSE,
    "describeInstanceTypes.1": PURPOSE,
    "describeInstanceVncUrl.1": PURPOSE,
    "describeInstanceVncUrl.2": ("DESCRIBE_INSTANCE_VNC_URL.VALID_ONE_HOUR",),
    "describeInstances.1": PURPOSE,
    "describeInstances.2": ("DESCRIBE_INSTANCES.DEFAULT_PAGE_SIZE",),
    "describeQuotas.1": ("DESCRIBE_QUOTAS.RESOURCE_TYPE", "DESCRIBE_QUOTAS.TYPES"),
    "detachDisk.1": ("DETACH_DISK.DATA_DISK_ONLY", "DETACH_DISK.DETACHES", "DETACH_DISK.DISK_NO_TASK",
                     "DETACH_DISK.NO_TASK"),
    "detachNetworkInterface.1": ("DETACH_NETWORK_INTERFACE.DETACHES",),
    "detachNetworkInterface.2": ("DETACH_NETWORK_INTERFACE.NO_TASK",
                                 "DETACH_NETWORK_INTERFACE.STATUS_RUNNING_OR_STOPPED"),
    "detachNetworkInterface.3": ("DETACH_NETWORK_INTERFACE.NOT_PRIMARY",),
    "disassociateElasticIp.1": ("DISASSOCIATE_ELASTIC_IP.BOUND_HERE", "DISASSOCIATE_ELASTIC_IP.UNBINDS"),
    "modifyImageAttribute.1": ("MODIFY_IMAGE_ATTRIBUTE.OWN_PRIVATE", "MODIFY_IMAGE_ATTRIBUTE.SETS_NAME_DESCRIPTION"),
    "modifyInstanceAttribute.1": ("MODIFY_INSTANCE_ATTRIBUTE.SETS_NAME_DESCRIPTION",),
    "modifyInstanceDiskAttribute.1": ("MODIFY_INSTANCE_DISK_ATTRIBUTE.ATTACHED_HERE",
                                      "MODIFY_INSTANCE_DISK_ATTRIBUTE.DATA_DISK_ONLY",
                                      "MODIFY_INSTANCE_DISK_ATTRIBUTE.SETS_AUTO_DELETE"),
    "modifyInstanceNetworkAttribute.1": ("MODIFY_INSTANCE_NETWORK_ATTRIBUTE.ATTACHED_HERE",
                                         "MODIFY_INSTANCE_NETWORK_ATTRIBUTE.SETS_AUTO_DELETE"),
    "modifyInstanceNetworkAttribute.2": ("MODIFY_INSTANCE_NETWORK_ATTRIBUTE.NOT_PRIMARY",),
    "modifyInstancePassword.1": ("MODIFY_INSTANCE_PASSWORD.NO_TASK",),
    "modifyInstancePassword.2": ("MODIFY_INSTANCE_PASSWORD.APPLIES_AFTER_RESTART",),
    "rebootInstance.1": ("REBOOT_INSTANCE.NO_TASK", "REBOOT_INSTANCE.STATUS_RUNNING"),
    "rebuildInstance.1": ("REBUILD_INSTANCE.REBUILDS",),
    "rebuildInstance.2": ("REBUILD_INSTANCE.STATUS_STOPPED",),
    "rebuildInstance.3": ("REBUILD_INSTANCE.ROOT_DEVICE_TYPE",),
    "rebuildInstance.4": LINK,
    "rebuildInstance.5": ("REBUILD_INSTANCE.ORIGINAL_IMAGE_DEFAULT",),
    "rebuildInstance.6": ("REBUILD_INSTANCE.IMAGE_SUPPORTS_TYPE",),
    "rebuildInstance.7": LINK,
    "resizeInstance.1": ("RESIZE_INSTANCE.RESIZES",),
    "resizeInstance.2": ("RESIZE_INSTANCE.STATUS_STOPPED",),
    "resizeInstance.3": ("RESIZE_INSTANCE.GENERATION_CREATED_2016",),
    "resizeInstance.4": ("RESIZE_INSTANCE.GENERATION_LOCAL_SYSTEM_DISK",),
    "resizeInstance.5": ("RESIZE_INSTANCE.GENERATION_AVAILABILITY_GROUP",),
    "resizeInstance.6": ("RESIZE_INSTANCE.CHANGES_GENERATION",),
    "resizeInstance.7": ("RESIZE_INSTANCE.NIC_LIMIT",),
    "resizeInstance.8": LINK,
    "resizeInstance.9": ("RESIZE_INSTANCE.IMAGE_SUPPORTS_TYPE",),
    "resizeInstance.10": LINK,
    "resizeInstance.11": ("RESIZE_INSTANCE.CHARGE_NORMAL",),
    "shareImage.1": ("SHARE_IMAGE.MEMBER_LIMIT", "SHARE_IMAGE.OWN_PRIVATE"),
    "shareImage.2": ("SHARE_IMAGE.NOT_WHOLE_MACHINE",),
    "startInstance.1": ("START_INSTANCE.NO_TASK", "START_INSTANCE.STATUS_STOPPED"),
    "startInstance.2": ("START_INSTANCE.CHARGE_NORMAL",),
    "stopInstance.1": ("STOP_INSTANCE.NO_TASK", "STOP_INSTANCE.STATUS_RUNNING"),
    "unShareImage.1": ("UNSHARE_IMAGE.OWN_PRIVATE",),
}
