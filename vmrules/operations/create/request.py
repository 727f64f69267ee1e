"""createInstances: the request model (InstanceSpec and its nested specs) and the field paths rules name."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from vmrules.operation import Request

SPEC = "instanceSpec"
NIC = "instanceSpec.primaryNetworkInterface.networkInterface"


class Spec(BaseModel):
    """Base of the nested request shapes: the same strict, camelCase, extras-ignored parsing as ``Request``."""

    model_config = ConfigDict(strict=True, frozen=True, extra="ignore", from_attributes=True)


class ChargeSpec(Spec):
    chargeMode: str | None = None
    chargeUnit: str | None = None
    chargeDuration: int | None = None


class ElasticIpSpec(Spec):
    bandwidthMbps: int
    provider: str | None = None
    chargeSpec: ChargeSpec | None = None


class NetworkInterfaceSpec(Spec):
    subnetId: str | None = None
    az: str | None = None
    networkInterfaceName: str | None = None
    primaryIpAddress: str | None = None
    securityGroups: list[str] | None = None
    sanityCheck: int | None = None
    description: str | None = None


class NetworkInterfaceAttachmentSpec(Spec):
    deviceIndex: int | None = None
    autoDelete: bool | None = None
    networkInterface: NetworkInterfaceSpec | None = None


class DiskSpec(Spec):
    az: str | None = None
    name: str | None = None
    description: str | None = None
    diskType: str | None = None
    diskSizeGB: int | None = None
    snapshotId: str | None = None
    charge: ChargeSpec | None = None
    multiAttachable: bool | None = None
    encrypt: bool | None = None


class DiskAttachmentSpec(Spec):
    diskCategory: str | None = None
    autoDelete: bool | None = None
    cloudDiskSpec: DiskSpec | None = None
    deviceName: str | None = None
    noDevice: bool | None = None


class InstanceSpec(Spec):
    name: str
    agId: str | None = None
    instanceTemplateId: str | None = None
    az: str | None = None
    instanceType: str | None = None
    imageId: str | None = None
    hostname: str | None = None
    password: str | None = None
    keyNames: list[str] | None = None
    elasticIp: ElasticIpSpec | None = None
    primaryNetworkInterface: NetworkInterfaceAttachmentSpec | None = None
    systemDisk: DiskAttachmentSpec | None = None
    dataDisks: list[DiskAttachmentSpec] | None = None
    charge: ChargeSpec | None = None
    description: str | None = None


class CreateInstancesRequest(Request):
    instanceSpec: InstanceSpec
    maxCount: int | None = None
    clientToken: str | None = None
