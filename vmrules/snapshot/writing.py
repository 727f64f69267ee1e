"""Writing a snapshot: ``world_to_dict(world)``, the world as a JSON-compatible document (docs/world-format.md)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from vmrules import model as m
from vmrules.clock import iso
from vmrules.snapshot.document import FORMAT_VERSION, JSON
from vmrules.state import WorldState
from vmrules.views import (
    disk_view,
    elastic_ip_view,
    image_view,
    instance_type_view,
    instance_view,
    network_interface_view,
    security_group_view,
    subnet_view,
    vpc_view,
)


def _time(seconds: int) -> str:
    return iso(seconds)


def _charge(charge: m.Charge | None) -> JSON | None:
    if charge is None:
        return None
    return {
        "chargeMode": charge.mode,
        "chargeStatus": charge.status,
        "chargeStartTime": _time(charge.start_time),
        "chargeExpiredTime": _time(charge.expire_time) if charge.expire_time is not None else "",
        "chargeRetireTime": "",
    }


def _owned(entity: Any) -> JSON:
    return {"ownerPin": entity.owner, "regionId": entity.region}


def _nic_ref(world: WorldState, nic_id: str) -> JSON:
    nic = world.network_interfaces.get(nic_id)
    return {
        "deviceIndex": nic.device_index if nic else None,
        "autoDelete": nic.auto_delete if nic else None,
        "networkInterface": {"networkInterfaceId": nic_id},
    }


def _instance(world: WorldState, inst: m.Instance) -> JSON:
    out = instance_view(world, inst)
    sd = inst.system_disk
    system: JSON = {"diskCategory": sd.category, "autoDelete": sd.auto_delete}
    if sd.category == "local":
        system["localDisk"] = {"diskType": sd.local_disk_type, "diskSizeGB": sd.local_size_gb}
    else:
        system["cloudDisk"] = {"diskId": sd.disk_id or ""}
    system.update(deviceName=sd.device_name, status="attached")
    out["systemDisk"] = system
    out["dataDisks"] = [
        {"diskCategory": "cloud", "autoDelete": dd.auto_delete, "cloudDisk": {"diskId": dd.disk_id},
         "deviceName": dd.device_name, "status": dd.status}
        for dd in inst.data_disks
    ]
    out["primaryNetworkInterface"] = _nic_ref(world, inst.primary_nic_id)
    out["secondaryNetworkInterfaces"] = [_nic_ref(world, n) for n in inst.secondary_nic_ids]
    out["charge"] = _charge(inst.charge)
    out.update(_owned(inst), passwordDigest=inst.password_digest, pendingPasswordDigest=inst.pending_password_digest,
               seq=inst.seq)
    return out


def _image(world: WorldState, image: m.Image) -> JSON:
    out = image_view(world, image)
    c = image.constraint
    out.update(
        instanceId=image.source_instance_id or "",
        regionId=image.region,
        sharedWith=list(image.shared_with),
        imageInstanceTypeConstraint=(
            {"constraintsType": c.constraints_type, "instanceTypes": list(c.instance_types)} if c else None),
    )
    return out


def _instance_type(itype: m.InstanceType) -> JSON:
    return {**instance_type_view(itype), "offline": itype.offline}


def _disk(world: WorldState, disk: m.Disk) -> JSON:
    return {**disk_view(world, disk), "charge": _charge(disk.charge), **_owned(disk)}


def _network_interface(world: WorldState, nic: m.NetworkInterface) -> JSON:
    out = network_interface_view(world, nic)
    out["primaryIp"]["elasticIpId"] = nic.elastic_ip_id or ""
    return {**out, "autoDelete": nic.auto_delete, **_owned(nic)}


def _elastic_ip(world: WorldState, eip: m.ElasticIp) -> JSON:
    return {**elastic_ip_view(world, eip), "charge": _charge(eip.charge), **_owned(eip)}


def _template_disk(d: m.TemplateDisk) -> JSON:
    return {
        "diskCategory": d.category,
        "autoDelete": d.auto_delete,
        "instanceTemplateDisk": {"diskType": d.disk_type, "diskSizeGB": d.size_gb, "snapshotId": d.snapshot_id or ""},
        "deviceName": d.device_name,
        "noDevice": False,
    }


def _template(world: WorldState, t: m.InstanceTemplate) -> JSON:
    ags = [{"id": ag.ag_id, "name": ag.name} for ag in _sorted(world.availability_groups.values(), "ag_id")
           if ag.template_id == t.template_id]
    return {
        "id": t.template_id,
        "name": t.name,
        "description": t.description,
        "instanceTemplateData": {
            "instanceType": t.instance_type,
            "vpcId": t.vpc_id,
            "imageId": t.image_id,
            "includePassword": False,
            "systemDisk": _template_disk(t.system_disk),
            "dataDisks": [_template_disk(d) for d in t.data_disks],
            "primaryNetworkInterface": {
                "deviceIndex": 1,
                "autoDelete": True,
                "networkInterface": {"subnetId": t.subnet_id, "securityGroups": list(t.security_group_ids),
                                     "sanityCheck": 1},
            },
            "elasticIp": ({"bandwidthMbps": t.elastic_ip_bandwidth_mbps, "provider": "bgp",
                           "chargeMode": "bandwith"} if t.elastic_ip_bandwidth_mbps is not None else None),
            "keyNames": list(t.key_names),
        },
        "ags": ags,
        "createdTime": _time(t.create_time),
        **_owned(t),
    }


def _sorted(entities: Iterable[Any], key: str) -> list[Any]:
    return sorted(entities, key=lambda e: getattr(e, key))


def world_to_dict(world: WorldState) -> JSON:
    """The snapshot of ``world``: a JSON-compatible dict (docs/world-format.md). Collections are sorted by id
    (instances by creation sequence), so equal worlds give equal snapshots."""
    w = world
    return {
        "formatVersion": FORMAT_VERSION,
        "clock": _time(w.clock),
        "sequence": w.sequence,
        "defaultAccount": w.default_account,
        "regions": [{"regionId": r.region_id, "azs": list(r.azs)} for r in _sorted(w.regions.values(), "region_id")],
        "accounts": [
            {"pin": a.pin, "realNameVerified": a.real_name_verified,
             "quotas": [{"resourceType": t, "limit": n} for t, n in a.quotas]}
            for a in _sorted(w.accounts.values(), "pin")
        ],
        "instanceTypes": [_instance_type(t) for t in _sorted(w.instance_types.values(), "instance_type")],
        "images": [_image(w, i) for i in _sorted(w.images.values(), "image_id")],
        "vpcs": [{**vpc_view(v), **_owned(v)} for v in _sorted(w.vpcs.values(), "vpc_id")],
        "subnets": [{**subnet_view(s), **_owned(s), "nextHost": s.next_host,
                      "reservedHosts": list(s.reserved)}
                    for s in _sorted(w.subnets.values(), "subnet_id")],
        "securityGroups": [{**security_group_view(g), **_owned(g)}
                           for g in _sorted(w.security_groups.values(), "security_group_id")],
        "networkInterfaces": [_network_interface(w, n) for n in _sorted(w.network_interfaces.values(), "nic_id")],
        "elasticIps": [_elastic_ip(w, e) for e in _sorted(w.elastic_ips.values(), "elastic_ip_id")],
        "disks": [_disk(w, d) for d in _sorted(w.disks.values(), "disk_id")],
        "snapshots": [
            {"snapshotId": s.snapshot_id, "diskId": s.source_disk_id or "", "snapshotSizeGB": s.size_gb,
             "images": [s.image_id] if s.image_id else [], "status": s.status, "createTime": _time(s.create_time),
             "diskType": s.disk_type, **_owned(s)}
            for s in _sorted(w.snapshots.values(), "snapshot_id")
        ],
        "keypairs": [
            {"keyName": k.key_name, "keyFingerprint": k.fingerprint, "createTime": _time(k.create_time), **_owned(k)}
            for k in sorted(w.keypairs.values(), key=lambda k: (k.owner, k.region, k.key_name))
        ],
        "instances": [_instance(w, i) for i in sorted(w.instances.values(), key=lambda i: (i.seq, i.instance_id))],
        "instanceTemplates": [_template(w, t) for t in _sorted(w.templates.values(), "template_id")],
        "availabilityGroups": [
            {"id": g.ag_id, "name": g.name, "instanceTemplateId": g.template_id, "azs": list(g.azs), **_owned(g)}
            for g in _sorted(w.availability_groups.values(), "ag_id")
        ],
        "tasks": [
            {"kind": t.kind, "resourceId": t.resource_id, "started": _time(t.started), "ref": t.ref}
            for t in _sorted(w.tasks.values(), "resource_id")
        ],
        "clientTokens": [
            {"ownerPin": pin, "regionId": region, "clientToken": token, "instanceIds": list(ids)}
            for (pin, region, token), ids in sorted(w.client_tokens.items())
        ],
    }
