"""One scenario of the official SDK's VmClient, run against whatever the client is pointed at (the in-process mock
or a ``vmrules serve`` process): 21 operations with successes, errors, filters and paging.

``settle`` completes the tasks in progress (the mock's ``settle()``, or the emulator's ``POST /admin/settle``).
Each step returns what the SDK surfaced: the result, or (code, status, message) of the error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jdcloud_sdk.services.common.models.Filter import Filter
from jdcloud_sdk.services.vm.apis.CreateImageRequest import CreateImageParameters, CreateImageRequest
from jdcloud_sdk.services.vm.apis.CreateInstancesRequest import CreateInstancesParameters, CreateInstancesRequest
from jdcloud_sdk.services.vm.apis.DeleteImageRequest import DeleteImageParameters, DeleteImageRequest
from jdcloud_sdk.services.vm.apis.DeleteInstanceRequest import DeleteInstanceParameters, DeleteInstanceRequest
from jdcloud_sdk.services.vm.apis.DescribeImageMembersRequest import (
    DescribeImageMembersParameters,
    DescribeImageMembersRequest,
)
from jdcloud_sdk.services.vm.apis.DescribeImageRequest import DescribeImageParameters, DescribeImageRequest
from jdcloud_sdk.services.vm.apis.DescribeImagesRequest import DescribeImagesParameters, DescribeImagesRequest
from jdcloud_sdk.services.vm.apis.DescribeInstanceRequest import DescribeInstanceParameters, DescribeInstanceRequest
from jdcloud_sdk.services.vm.apis.DescribeInstancesRequest import (
    DescribeInstancesParameters,
    DescribeInstancesRequest,
)
from jdcloud_sdk.services.vm.apis.DescribeInstanceStatusRequest import (
    DescribeInstanceStatusParameters,
    DescribeInstanceStatusRequest,
)
from jdcloud_sdk.services.vm.apis.DescribeInstanceTypesRequest import (
    DescribeInstanceTypesParameters,
    DescribeInstanceTypesRequest,
)
from jdcloud_sdk.services.vm.apis.DescribeKeypairsRequest import DescribeKeypairsParameters, DescribeKeypairsRequest
from jdcloud_sdk.services.vm.apis.DescribeQuotasRequest import DescribeQuotasParameters, DescribeQuotasRequest
from jdcloud_sdk.services.vm.apis.ModifyInstanceAttributeRequest import (
    ModifyInstanceAttributeParameters,
    ModifyInstanceAttributeRequest,
)
from jdcloud_sdk.services.vm.apis.RebootInstanceRequest import RebootInstanceParameters, RebootInstanceRequest
from jdcloud_sdk.services.vm.apis.ShareImageRequest import ShareImageParameters, ShareImageRequest
from jdcloud_sdk.services.vm.apis.StartInstanceRequest import StartInstanceParameters, StartInstanceRequest
from jdcloud_sdk.services.vm.apis.StopInstanceRequest import StopInstanceParameters, StopInstanceRequest
from jdcloud_sdk.services.vm.apis.UnShareImageRequest import UnShareImageParameters, UnShareImageRequest
from jdcloud_sdk.services.vm.models.InstanceDiskAttachmentSpec import InstanceDiskAttachmentSpec
from jdcloud_sdk.services.vm.models.InstanceNetworkInterfaceAttachmentSpec import (
    InstanceNetworkInterfaceAttachmentSpec,
)
from jdcloud_sdk.services.vm.models.InstanceSpec import InstanceSpec
from jdcloud_sdk.services.vpc.models.NetworkInterfaceSpec import NetworkInterfaceSpec

from jdcloud_sdk.services.disk.models.DiskSpec import DiskSpec  # isort: skip
from sdk_signing import REGION


def instance_spec(name: str) -> Any:
    return InstanceSpec(
        name, az="cn-north-1a", instanceType="g.n2.medium", imageId="img-centos7cld",
        primaryNetworkInterface=InstanceNetworkInterfaceAttachmentSpec(
            networkInterface=NetworkInterfaceSpec("subnet-main00001a")),
        systemDisk=InstanceDiskAttachmentSpec("cloud", cloudDiskSpec=DiskSpec("cn-north-1a", "sys", "ssd", 40)),
    )


def params(cls: type, *required: Any, **optional: Any) -> Any:
    """SDK parameters: the required ones positionally, the optional ones through their setters."""
    built = cls(*required)
    for name, value in optional.items():
        getattr(built, "set" + name[0].upper() + name[1:])(value)
    return built


def surfaced(response: Any) -> Any:
    """What the SDK gives its caller: the error's (code, status, message), or the result (None when empty)."""
    if response.error is not None:
        return ["error", response.error.code, response.error.status, response.error.message]
    return ["ok", response.result]


def run(client: Any, settle: Callable[[], None]) -> list[Any]:
    steps: list[Any] = []

    def send(request: Any) -> Any:
        response = client.send(request)
        steps.append(surfaced(response))
        return response

    created = send(CreateInstancesRequest(params(CreateInstancesParameters, REGION, instance_spec("web"), maxCount=12)))
    ids = created.result["instanceIds"]
    send(DescribeInstanceRequest(params(DescribeInstanceParameters, REGION, ids[0])))  # pending
    send(StopInstanceRequest(params(StopInstanceParameters, REGION, ids[0])))  # refused: a task is in progress
    settle()
    send(DescribeInstancesRequest(params(DescribeInstancesParameters, REGION, pageNumber=1, pageSize=10)))
    send(DescribeInstancesRequest(params(DescribeInstancesParameters, REGION, pageNumber=2, pageSize=10)))
    send(DescribeInstancesRequest(params(DescribeInstancesParameters, REGION, pageSize=2)))  # 400: out of range
    send(DescribeInstancesRequest(params(DescribeInstancesParameters, REGION, filters=[
        Filter("instanceId", [ids[1], ids[2]]), Filter("status", ["running"])])))
    send(StopInstanceRequest(params(StopInstanceParameters, REGION, ids[0])))
    settle()
    send(DescribeInstanceStatusRequest(params(DescribeInstanceStatusParameters, REGION,
                                              filters=[Filter("status", ["stopped"])])))
    send(ModifyInstanceAttributeRequest(params(ModifyInstanceAttributeParameters, REGION, ids[0], name="renamed")))
    image = send(CreateImageRequest(params(CreateImageParameters, REGION, ids[0], "backup",
                                           description="a backup of web")))
    settle()
    image_id = image.result["imageId"] if image.result else "img-missing"
    send(DescribeImageRequest(params(DescribeImageParameters, REGION, image_id)))
    send(DescribeImagesRequest(params(DescribeImagesParameters, REGION, imageSource="private", pageSize=10)))
    send(ShareImageRequest(params(ShareImageParameters, REGION, image_id, pins=["bob"])))
    send(DescribeImageMembersRequest(params(DescribeImageMembersParameters, REGION, image_id)))
    send(UnShareImageRequest(params(UnShareImageParameters, REGION, image_id, pins=["bob"])))
    send(StartInstanceRequest(params(StartInstanceParameters, REGION, ids[0])))
    settle()
    send(RebootInstanceRequest(params(RebootInstanceParameters, REGION, ids[1])))
    settle()
    send(DescribeInstanceTypesRequest(params(DescribeInstanceTypesParameters, REGION,
                                             filters=[Filter("instanceTypes", ["g.n2.medium"])])))
    send(DescribeQuotasRequest(params(DescribeQuotasParameters, REGION,
                                      filters=[Filter("resourceTypes", ["instance"])])))
    send(DescribeInstanceRequest(params(DescribeInstanceParameters, REGION, "i-doesnotexist")))  # 404
    send(DeleteImageRequest(params(DeleteImageParameters, REGION, image_id)))
    send(DeleteInstanceRequest(params(DeleteInstanceParameters, REGION, ids[2])))
    settle()
    send(DescribeInstancesRequest(params(DescribeInstancesParameters, REGION)))
    send(DescribeKeypairsRequest(params(DescribeKeypairsParameters, REGION)))  # 501: not in the reference
    return steps
