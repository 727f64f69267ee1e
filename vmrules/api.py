"""The typed API: one callable per operation, taking its pydantic request model.

``stop_instance(world, StopInstanceRequest(regionId="cn-north-1", instanceId="i-..."))`` returns the same
``Outcome`` as ``execute(world, "stopInstance", {...})``; ``execute`` parses wire params into these models and
dispatches onto these same objects. Each is an ``Operation``: callable as
``(world, request, *, caller=None) -> Outcome``, with ``.violations(...)`` for ``check``, ``.rules``,
``.request`` (the model), ``.method`` and ``.path``.
"""

from __future__ import annotations

from vmrules.operations.create import (
    CREATE_INSTANCES,
    CreateInstancesRequest,
)
from vmrules.operations.describe import (
    DESCRIBE_INSTANCE,
    DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS,
    DESCRIBE_INSTANCE_STATUS,
    DESCRIBE_INSTANCE_VNC_URL,
    DESCRIBE_INSTANCES,
    DescribeInstancePrivateIpAddressRequest,
    DescribeInstanceRequest,
    DescribeInstancesRequest,
    DescribeInstanceStatusRequest,
    DescribeInstanceVncUrlRequest,
)
from vmrules.operations.disks import (
    ATTACH_DISK,
    DETACH_DISK,
    MODIFY_INSTANCE_DISK_ATTRIBUTE,
    AttachDiskRequest,
    DetachDiskRequest,
    ModifyInstanceDiskAttributeRequest,
)
from vmrules.operations.image_queries import (
    DESCRIBE_IMAGE,
    DESCRIBE_IMAGE_CONSTRAINTS,
    DESCRIBE_IMAGE_CONSTRAINTS_BATCH,
    DESCRIBE_IMAGE_MEMBERS,
    DESCRIBE_IMAGES,
    DescribeImageConstraintsBatchRequest,
    DescribeImageConstraintsRequest,
    DescribeImageMembersRequest,
    DescribeImageRequest,
    DescribeImagesRequest,
)
from vmrules.operations.images import (
    COPY_IMAGES,
    CREATE_IMAGE,
    DELETE_IMAGE,
    MODIFY_IMAGE_ATTRIBUTE,
    SHARE_IMAGE,
    UNSHARE_IMAGE,
    CopyImagesRequest,
    CreateImageRequest,
    DeleteImageRequest,
    ModifyImageAttributeRequest,
    ShareImageRequest,
)
from vmrules.operations.instance_types import (
    DESCRIBE_INSTANCE_TYPES,
    DescribeInstanceTypesRequest,
)
from vmrules.operations.instances import (
    DELETE_INSTANCE,
    REBOOT_INSTANCE,
    START_INSTANCE,
    STOP_INSTANCE,
    DeleteInstanceRequest,
    RebootInstanceRequest,
    StartInstanceRequest,
    StopInstanceRequest,
)
from vmrules.operations.modify import (
    MODIFY_INSTANCE_ATTRIBUTE,
    MODIFY_INSTANCE_PASSWORD,
    ModifyInstanceAttributeRequest,
    ModifyInstancePasswordRequest,
)
from vmrules.operations.network import (
    ASSOCIATE_ELASTIC_IP,
    ATTACH_NETWORK_INTERFACE,
    DETACH_NETWORK_INTERFACE,
    DISASSOCIATE_ELASTIC_IP,
    MODIFY_INSTANCE_NETWORK_ATTRIBUTE,
    AttachNetworkInterfaceRequest,
    DetachNetworkInterfaceRequest,
    ElasticIpRequest,
    ModifyInstanceNetworkAttributeRequest,
)
from vmrules.operations.quotas import (
    DESCRIBE_QUOTAS,
    DescribeQuotasRequest,
)
from vmrules.operations.reconfigure import (
    REBUILD_INSTANCE,
    RESIZE_INSTANCE,
    RebuildInstanceRequest,
    ResizeInstanceRequest,
)

associate_elastic_ip = ASSOCIATE_ELASTIC_IP
attach_disk = ATTACH_DISK
attach_network_interface = ATTACH_NETWORK_INTERFACE
copy_images = COPY_IMAGES
create_image = CREATE_IMAGE
create_instances = CREATE_INSTANCES
delete_image = DELETE_IMAGE
delete_instance = DELETE_INSTANCE
describe_image = DESCRIBE_IMAGE
describe_image_constraints = DESCRIBE_IMAGE_CONSTRAINTS
describe_image_constraints_batch = DESCRIBE_IMAGE_CONSTRAINTS_BATCH
describe_image_members = DESCRIBE_IMAGE_MEMBERS
describe_images = DESCRIBE_IMAGES
describe_instance = DESCRIBE_INSTANCE
describe_instance_private_ip_address = DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS
describe_instance_status = DESCRIBE_INSTANCE_STATUS
describe_instance_types = DESCRIBE_INSTANCE_TYPES
describe_instance_vnc_url = DESCRIBE_INSTANCE_VNC_URL
describe_instances = DESCRIBE_INSTANCES
describe_quotas = DESCRIBE_QUOTAS
detach_disk = DETACH_DISK
detach_network_interface = DETACH_NETWORK_INTERFACE
disassociate_elastic_ip = DISASSOCIATE_ELASTIC_IP
modify_image_attribute = MODIFY_IMAGE_ATTRIBUTE
modify_instance_attribute = MODIFY_INSTANCE_ATTRIBUTE
modify_instance_disk_attribute = MODIFY_INSTANCE_DISK_ATTRIBUTE
modify_instance_network_attribute = MODIFY_INSTANCE_NETWORK_ATTRIBUTE
modify_instance_password = MODIFY_INSTANCE_PASSWORD
reboot_instance = REBOOT_INSTANCE
rebuild_instance = REBUILD_INSTANCE
resize_instance = RESIZE_INSTANCE
share_image = SHARE_IMAGE
start_instance = START_INSTANCE
stop_instance = STOP_INSTANCE
un_share_image = UNSHARE_IMAGE

__all__ = [
    "AttachDiskRequest",
    "AttachNetworkInterfaceRequest",
    "CopyImagesRequest",
    "CreateImageRequest",
    "CreateInstancesRequest",
    "DeleteImageRequest",
    "DeleteInstanceRequest",
    "DescribeImageConstraintsBatchRequest",
    "DescribeImageConstraintsRequest",
    "DescribeImageMembersRequest",
    "DescribeImageRequest",
    "DescribeImagesRequest",
    "DescribeInstancePrivateIpAddressRequest",
    "DescribeInstanceRequest",
    "DescribeInstanceStatusRequest",
    "DescribeInstanceTypesRequest",
    "DescribeInstanceVncUrlRequest",
    "DescribeInstancesRequest",
    "DescribeQuotasRequest",
    "DetachDiskRequest",
    "DetachNetworkInterfaceRequest",
    "ElasticIpRequest",
    "ModifyImageAttributeRequest",
    "ModifyInstanceAttributeRequest",
    "ModifyInstanceDiskAttributeRequest",
    "ModifyInstanceNetworkAttributeRequest",
    "ModifyInstancePasswordRequest",
    "RebootInstanceRequest",
    "RebuildInstanceRequest",
    "ResizeInstanceRequest",
    "ShareImageRequest",
    "StartInstanceRequest",
    "StopInstanceRequest",
    "associate_elastic_ip",
    "attach_disk",
    "attach_network_interface",
    "copy_images",
    "create_image",
    "create_instances",
    "delete_image",
    "delete_instance",
    "describe_image",
    "describe_image_constraints",
    "describe_image_constraints_batch",
    "describe_image_members",
    "describe_images",
    "describe_instance",
    "describe_instance_private_ip_address",
    "describe_instance_status",
    "describe_instance_types",
    "describe_instance_vnc_url",
    "describe_instances",
    "describe_quotas",
    "detach_disk",
    "detach_network_interface",
    "disassociate_elastic_ip",
    "modify_image_attribute",
    "modify_instance_attribute",
    "modify_instance_disk_attribute",
    "modify_instance_network_attribute",
    "modify_instance_password",
    "reboot_instance",
    "rebuild_instance",
    "resize_instance",
    "share_image",
    "start_instance",
    "stop_instance",
    "un_share_image",
]
