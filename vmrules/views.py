"""Entities in the API's own camelCase shapes (fact sheet §5): what describe operations return and what
snapshots store. Each view is a pure function of the world and one entity."""

from __future__ import annotations

from typing import Any

from vmrules.clock import iso
from vmrules.model import (
    Charge,
    Disk,
    ElasticIp,
    Image,
    ImageDisk,
    Instance,
    InstanceType,
    NetworkInterface,
    SecurityGroup,
    Subnet,
    Vpc,
)
from vmrules.state import WorldState

JSON = dict[str, Any]


def charge_view(charge: Charge | None, clock: int) -> JSON | None:
    if charge is None:
        return None
    return {
        "chargeMode": charge.mode,
        "chargeStatus": charge.effective_status(clock),
        "chargeStartTime": iso(charge.start_time),
        "chargeExpiredTime": iso(charge.expire_time) if charge.expire_time is not None else "",
        "chargeRetireTime": "",
    }


def disk_view(world: WorldState, disk: Disk) -> JSON:
    return {
        "diskId": disk.disk_id,
        "az": disk.az,
        "name": disk.name,
        "description": disk.description,
        "diskType": disk.disk_type,
        "diskSizeGB": disk.size_gb,
        "status": disk.status,
        "attachments": [
            {
                "attachmentId": f"{disk.disk_id}/{a.instance_id}",
                "diskId": disk.disk_id,
                "instanceType": "vm",
                "instanceId": a.instance_id,
                "status": a.status,
                "attachTime": iso(a.attach_time),
            }
            for a in disk.attachments
        ],
        "snapshotId": disk.snapshot_id or "",
        "multiAttachable": disk.multi_attachable,
        "encrypted": disk.encrypted,
        "enable": True,
        "createTime": iso(disk.create_time),
        "charge": charge_view(disk.charge, world.clock),
    }


def _security_groups(world: WorldState, ids: tuple[str, ...]) -> list[JSON]:
    out = []
    for sg_id in ids:
        sg = world.security_groups.get(sg_id)
        out.append({"groupId": sg_id, "groupName": sg.name if sg else ""})
    return out


def _primary_ip(world: WorldState, nic: NetworkInterface) -> JSON:
    eip = world.elastic_ips.get(nic.elastic_ip_id) if nic.elastic_ip_id else None
    return {
        "privateIpAddress": nic.private_ip,
        "elasticIpId": eip.elastic_ip_id if eip else "",
        "elasticIpAddress": eip.address if eip else "",
    }


def nic_attachment_view(world: WorldState, nic: NetworkInterface) -> JSON:
    """InstanceNetworkInterfaceAttachment: how an instance shows one of its interfaces."""
    return {
        "deviceIndex": nic.device_index,
        "autoDelete": nic.auto_delete,
        "networkInterface": {
            "networkInterfaceId": nic.nic_id,
            "macAddress": nic.mac_address,
            "vpcId": nic.vpc_id,
            "subnetId": nic.subnet_id,
            "securityGroups": _security_groups(world, nic.security_group_ids),
            "sanityCheck": nic.sanity_check,
            "primaryIp": _primary_ip(world, nic),
            "secondaryIps": [],
        },
    }


def network_interface_view(world: WorldState, nic: NetworkInterface) -> JSON:
    """The vpc service's NetworkInterface."""
    return {
        "networkInterfaceName": nic.name,
        "networkInterfaceId": nic.nic_id,
        "az": nic.az,
        "role": nic.role,
        "macAddress": nic.mac_address,
        "vpcId": nic.vpc_id,
        "subnetId": nic.subnet_id,
        "networkSecurityGroupIds": list(nic.security_group_ids),
        "sanityCheck": nic.sanity_check,
        "primaryIp": _primary_ip(world, nic),
        "secondaryIps": [],
        "instanceType": "vm" if nic.instance_id else "",
        "instanceId": nic.instance_id or "",
        "instanceOwnerId": nic.owner if nic.instance_id else "",
        "deviceIndex": nic.device_index,
        "description": nic.description,
        "createdTime": iso(nic.create_time),
    }


def instance_view(world: WorldState, inst: Instance) -> JSON:
    """The vm service's Instance, with its disks and interfaces resolved."""
    primary = world.network_interfaces.get(inst.primary_nic_id)
    eip = world.elastic_ips.get(primary.elastic_ip_id) if primary and primary.elastic_ip_id else None
    sd = inst.system_disk
    if sd.category == "local":
        system_disk: JSON = {
            "diskCategory": "local",
            "autoDelete": True,
            "localDisk": {"diskType": sd.local_disk_type, "diskSizeGB": sd.local_size_gb},
            "deviceName": sd.device_name,
            "status": "attached",
        }
    else:
        disk = world.disks.get(sd.disk_id or "")
        system_disk = {
            "diskCategory": "cloud",
            "autoDelete": sd.auto_delete,
            "cloudDisk": disk_view(world, disk) if disk else None,
            "deviceName": sd.device_name,
            "status": "attached",
        }
    data_disks = []
    for dd in inst.data_disks:
        disk = world.disks.get(dd.disk_id)
        data_disks.append({
            "diskCategory": "cloud",
            "autoDelete": dd.auto_delete,
            "cloudDisk": disk_view(world, disk) if disk else None,
            "deviceName": dd.device_name,
            "status": dd.status,
        })
    secondaries = [world.network_interfaces.get(n) for n in inst.secondary_nic_ids]
    ag = world.availability_groups.get(inst.ag_id) if inst.ag_id else None
    return {
        "instanceId": inst.instance_id,
        "instanceName": inst.name,
        "hostname": inst.hostname,
        "instanceType": inst.instance_type,
        "vpcId": inst.vpc_id,
        "subnetId": inst.subnet_id,
        "privateIpAddress": primary.private_ip if primary else "",
        "elasticIpId": eip.elastic_ip_id if eip else "",
        "elasticIpAddress": eip.address if eip else "",
        "status": inst.status,
        "description": inst.description,
        "imageId": inst.image_id,
        "osType": inst.os_type,  # [SDK+]: the instance's own record, shown when its image is gone
        "systemDisk": system_disk,
        "dataDisks": data_disks,
        "primaryNetworkInterface": nic_attachment_view(world, primary) if primary else None,
        "secondaryNetworkInterfaces": [nic_attachment_view(world, n) for n in secondaries if n is not None],
        "launchTime": iso(inst.launch_time),
        "az": inst.az,
        "keyNames": list(inst.key_names),
        "charge": charge_view(inst.charge, world.clock),
        "ag": {"id": ag.ag_id, "name": ag.name} if ag else {"id": inst.ag_id or "", "name": ""},
        "faultDomain": inst.fault_domain,
        "tags": [],
    }


def _image_disk_view(d: ImageDisk) -> JSON:
    return {
        "diskCategory": "cloud",
        "autoDelete": True,
        "cloudDisk": {"diskType": d.disk_type, "diskSizeGB": d.size_gb, "snapshotId": d.snapshot_id or ""},
        "deviceName": d.device_name,
        "status": "attached",
    }


def image_view(world: WorldState, image: Image, caller: str | None = None) -> JSON:
    """The vm service's Image. ``imageSource`` is ``shared`` when the caller sees another account's image."""
    source = image.source
    if caller is not None and image.source == "private" and image.owner != caller:
        source = "shared"  # type: ignore[assignment]
    return {
        "imageId": image.image_id,
        "name": image.name,
        "platform": image.platform,
        "osVersion": image.os_version,
        "architecture": image.architecture,
        "systemDiskSizeGB": image.system_disk_size_gb,
        "imageSource": source,
        "osType": image.os_type,
        "status": image.status,
        "createTime": iso(image.create_time),
        "sizeMB": image.size_mb,
        "desc": image.desc,
        "systemDisk": {
            "diskCategory": "local" if image.root_device_type == "localDisk" else "cloud",
            "autoDelete": True,
            "deviceName": "vda",
            "status": "attached",
        },
        "dataDisks": [_image_disk_view(d) for d in image.data_disks],
        "snapshotId": image.snapshot_id or "",
        "rootDeviceType": image.root_device_type,
        "progress": image.progress,
        "ownerPin": image.owner,
    }


def instance_type_view(itype: InstanceType) -> JSON:
    return {
        "family": itype.family,
        "instanceType": itype.instance_type,
        "cpu": itype.cpu,
        "memoryMB": itype.memory_mb,
        "nicLimit": itype.nic_limit,
        "desc": itype.desc,
        "state": [{"az": s.az, "inStock": s.in_stock} for s in itype.state],
        "gpu": {"model": itype.gpu.model, "number": itype.gpu.number} if itype.gpu else None,
        "localDisks": [{"diskType": d.disk_type, "diskSizeGB": d.size_gb} for d in itype.local_disks],
        "generation": itype.generation,
    }


def elastic_ip_view(world: WorldState, eip: ElasticIp) -> JSON:
    return {
        "elasticIpId": eip.elastic_ip_id,
        "elasticIpAddress": eip.address,
        "bandwidthMbps": eip.bandwidth_mbps,
        "provider": eip.provider,
        "privateIpAddress": eip.private_ip or "",
        "networkInterfaceId": eip.nic_id or "",
        "instanceId": eip.instance_id or "",
        "instanceType": "vm" if eip.instance_id else "",
        "charge": charge_view(eip.charge, world.clock),
        "createdTime": iso(eip.create_time),
        "az": eip.az,
    }


def vpc_view(vpc: Vpc) -> JSON:
    return {"vpcId": vpc.vpc_id, "vpcName": vpc.name, "addressPrefix": vpc.cidr}


def subnet_view(subnet: Subnet) -> JSON:
    return {"subnetId": subnet.subnet_id, "subnetName": subnet.name, "vpcId": subnet.vpc_id,
            "addressPrefix": subnet.cidr, "az": subnet.az}


def security_group_view(sg: SecurityGroup) -> JSON:
    return {
        "networkSecurityGroupId": sg.security_group_id,
        "networkSecurityGroupName": sg.name,
        "description": sg.description,
        "vpcId": sg.vpc_id,
        "securityGroupRules": [],
        "networkSecurityGroupType": "default" if sg.is_default else "custom",
    }
