"""Writing a snapshot: ``world_to_dict(world)``, the world as a JSON-compatible document (docs/world-format.md),
and ``world_to_json(world)``, the same as JSON text."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from itertools import islice
from operator import attrgetter
from typing import Any

from pydantic_core import to_json

from vmrules import model as m
from vmrules.bulk import collector_paused
from vmrules.clock import iso
from vmrules.snapshot.document import FORMAT_VERSION, JSON
from vmrules.state import WorldState
from vmrules.views import image_view, instance_type_view, security_group_view, subnet_view, vpc_view


class _Times:
    """ISO-8601 text of world-clock seconds, each distinct value rendered once per snapshot (most entities of a
    world share a handful of times, and rendering one costs a datetime round trip)."""

    __slots__ = ("texts",)

    def __init__(self) -> None:
        self.texts: dict[int, str] = {}

    def __call__(self, seconds: int) -> str:
        text = self.texts.get(seconds)
        if text is None:
            text = self.texts[seconds] = iso(seconds)
        return text


def _charge(charge: m.Charge | None, time: _Times) -> JSON | None:
    if charge is None:
        return None
    return {
        "chargeMode": charge.mode,
        "chargeStatus": charge.status,  # the recorded status, not the effective one (docs/decisions)
        "chargeStartTime": time(charge.start_time),
        "chargeExpiredTime": time(charge.expire_time) if charge.expire_time is not None else "",
        "chargeRetireTime": "",
    }


def _owned(entity: Any) -> JSON:
    return {"ownerPin": entity.owner, "regionId": entity.region}


def _nic_ref(nics: Mapping[str, m.NetworkInterface], nic_id: str) -> JSON:
    nic = nics.get(nic_id)
    return {
        "deviceIndex": nic.device_index if nic else None,
        "autoDelete": nic.auto_delete if nic else None,
        "networkInterface": {"networkInterfaceId": nic_id},
    }


# The writers of the large collections below produce exactly what the views (vmrules.views) render, with the
# nested copies replaced by references, written out member by member: rendering the full view and then
# overwriting its nested copies cost more than half of a snapshot. tests/test_snapshot.py checks the
# snapshot's members against the views.


def _instance(world: WorldState, inst: m.Instance, time: _Times) -> JSON:
    nics = world.network_interfaces
    primary = nics.get(inst.primary_nic_id)
    eip = world.elastic_ips.get(primary.elastic_ip_id) if primary is not None and primary.elastic_ip_id else None
    sd = inst.system_disk
    system: JSON = {"diskCategory": sd.category, "autoDelete": sd.auto_delete}
    if sd.category == "local":
        system["localDisk"] = {"diskType": sd.local_disk_type, "diskSizeGB": sd.local_size_gb}
    else:
        system["cloudDisk"] = {"diskId": sd.disk_id or ""}
    system["deviceName"] = sd.device_name
    system["status"] = "attached"
    ag = world.availability_groups.get(inst.ag_id) if inst.ag_id else None
    return {
        "instanceId": inst.instance_id,
        "instanceName": inst.name,
        "hostname": inst.hostname,
        "instanceType": inst.instance_type,
        "vpcId": inst.vpc_id,
        "subnetId": inst.subnet_id,
        "privateIpAddress": primary.private_ip if primary is not None else "",
        "elasticIpId": eip.elastic_ip_id if eip is not None else "",
        "elasticIpAddress": eip.address if eip is not None else "",
        "status": inst.status,
        "description": inst.description,
        "imageId": inst.image_id,
        "osType": inst.os_type,
        "systemDisk": system,
        "dataDisks": [
            {"diskCategory": "cloud", "autoDelete": dd.auto_delete, "cloudDisk": {"diskId": dd.disk_id},
             "deviceName": dd.device_name, "status": dd.status}
            for dd in inst.data_disks
        ],
        "primaryNetworkInterface": _nic_ref(nics, inst.primary_nic_id),
        "secondaryNetworkInterfaces": [_nic_ref(nics, n) for n in inst.secondary_nic_ids],
        "launchTime": time(inst.launch_time),
        "az": inst.az,
        "keyNames": list(inst.key_names),
        "charge": _charge(inst.charge, time),
        "ag": {"id": ag.ag_id, "name": ag.name} if ag is not None else {"id": inst.ag_id or "", "name": ""},
        "faultDomain": inst.fault_domain,
        "tags": [],
        "ownerPin": inst.owner,
        "regionId": inst.region,
        "passwordDigest": inst.password_digest,
        "pendingPasswordDigest": inst.pending_password_digest,
        "seq": inst.seq,
    }


def _disk(disk: m.Disk, time: _Times) -> JSON:
    disk_id = disk.disk_id
    return {
        "diskId": disk_id,
        "az": disk.az,
        "name": disk.name,
        "description": disk.description,
        "diskType": disk.disk_type,
        "diskSizeGB": disk.size_gb,
        "status": disk.status,
        "attachments": [
            {"attachmentId": f"{disk_id}/{a.instance_id}", "diskId": disk_id, "instanceType": "vm",
             "instanceId": a.instance_id, "status": a.status, "attachTime": time(a.attach_time)}
            for a in disk.attachments
        ],
        "snapshotId": disk.snapshot_id or "",
        "multiAttachable": disk.multi_attachable,
        "encrypted": disk.encrypted,
        "enable": True,
        "createTime": time(disk.create_time),
        "charge": _charge(disk.charge, time),
        "ownerPin": disk.owner,
        "regionId": disk.region,
    }


def _network_interface(world: WorldState, nic: m.NetworkInterface, time: _Times) -> JSON:
    eip = world.elastic_ips.get(nic.elastic_ip_id) if nic.elastic_ip_id else None
    attached = bool(nic.instance_id)
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
        "primaryIp": {
            "privateIpAddress": nic.private_ip,
            "elasticIpId": nic.elastic_ip_id or "",  # the interface's own record, even if the IP is gone
            "elasticIpAddress": eip.address if eip is not None else "",
        },
        "secondaryIps": [],
        "instanceType": "vm" if attached else "",
        "instanceId": nic.instance_id or "",
        "instanceOwnerId": nic.owner if attached else "",
        "deviceIndex": nic.device_index,
        "description": nic.description,
        "createdTime": time(nic.create_time),
        "autoDelete": nic.auto_delete,
        "ownerPin": nic.owner,
        "regionId": nic.region,
    }


def _elastic_ip(eip: m.ElasticIp, time: _Times) -> JSON:
    return {
        "elasticIpId": eip.elastic_ip_id,
        "elasticIpAddress": eip.address,
        "bandwidthMbps": eip.bandwidth_mbps,
        "provider": eip.provider,
        "privateIpAddress": eip.private_ip or "",
        "networkInterfaceId": eip.nic_id or "",
        "instanceId": eip.instance_id or "",
        "instanceType": "vm" if eip.instance_id else "",
        "charge": _charge(eip.charge, time),
        "createdTime": time(eip.create_time),
        "az": eip.az,
        "ownerPin": eip.owner,
        "regionId": eip.region,
    }


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


def _template_disk(d: m.TemplateDisk) -> JSON:
    return {
        "diskCategory": d.category,
        "autoDelete": d.auto_delete,
        "instanceTemplateDisk": {"diskType": d.disk_type, "diskSizeGB": d.size_gb, "snapshotId": d.snapshot_id or ""},
        "deviceName": d.device_name,
        "noDevice": False,
    }


def _template(world: WorldState, t: m.InstanceTemplate, time: _Times) -> JSON:
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
        "createdTime": time(t.create_time),
        **_owned(t),
    }


_creation_order = attrgetter("seq", "instance_id")
# What makes a collection of the document from its entries: ``list``, or ``_Stream`` (world_to_json).
Collect = Callable[[Iterable[JSON]], Any]


def _sorted(entities: Iterable[Any], key: str) -> list[Any]:
    return sorted(entities, key=lambda e: getattr(e, key))


def world_to_dict(world: WorldState) -> JSON:
    """The snapshot of ``world``: a JSON-compatible dict (docs/world-format.md). Collections are sorted by id
    (instances by creation sequence), so equal worlds give equal snapshots."""
    with collector_paused():  # a bulk build of the document's objects (vmrules.bulk)
        return _document(world)


def _document(world: WorldState, collect: Collect = list) -> JSON:
    """The document, each collection of entities made by ``collect`` from its entries in order (``list``, or a
    ``_Stream`` that leaves them to be made while the text is written)."""
    w = world
    time = _Times()
    return {
        "formatVersion": FORMAT_VERSION,
        "clock": time(w.clock),
        "sequence": w.sequence,
        "defaultAccount": w.default_account,
        "regions": collect({"regionId": r.region_id, "azs": list(r.azs)}
                           for r in _sorted(w.regions.values(), "region_id")),
        "accounts": collect(
            {"pin": a.pin, "realNameVerified": a.real_name_verified,
             "quotas": [{"resourceType": t, "limit": n} for t, n in a.quotas]}
            for a in _sorted(w.accounts.values(), "pin")
        ),
        "instanceTypes": collect(_instance_type(t) for t in _sorted(w.instance_types.values(), "instance_type")),
        "images": collect(_image(w, i) for i in _sorted(w.images.values(), "image_id")),
        "vpcs": collect({**vpc_view(v), **_owned(v)} for v in _sorted(w.vpcs.values(), "vpc_id")),
        "subnets": collect({**subnet_view(s), **_owned(s), "nextHost": s.next_host,
                            "reservedHosts": list(s.reserved)}
                           for s in _sorted(w.subnets.values(), "subnet_id")),
        "securityGroups": collect({**security_group_view(g), **_owned(g)}
                                  for g in _sorted(w.security_groups.values(), "security_group_id")),
        "networkInterfaces": collect(_network_interface(w, n, time)
                                     for n in _sorted(w.network_interfaces.values(), "nic_id")),
        "elasticIps": collect(_elastic_ip(e, time) for e in _sorted(w.elastic_ips.values(), "elastic_ip_id")),
        "disks": collect(_disk(d, time) for d in _sorted(w.disks.values(), "disk_id")),
        "snapshots": collect(
            {"snapshotId": s.snapshot_id, "diskId": s.source_disk_id or "", "snapshotSizeGB": s.size_gb,
             "images": [s.image_id] if s.image_id else [], "status": s.status, "createTime": time(s.create_time),
             "diskType": s.disk_type, **_owned(s)}
            for s in _sorted(w.snapshots.values(), "snapshot_id")
        ),
        "keypairs": collect(
            {"keyName": k.key_name, "keyFingerprint": k.fingerprint, "createTime": time(k.create_time), **_owned(k)}
            for k in sorted(w.keypairs.values(), key=lambda k: (k.owner, k.region, k.key_name))
        ),
        "instances": collect(_instance(w, i, time) for i in sorted(w.instances.values(), key=_creation_order)),
        "instanceTemplates": collect(_template(w, t, time) for t in _sorted(w.templates.values(), "template_id")),
        "availabilityGroups": collect(
            {"id": g.ag_id, "name": g.name, "instanceTemplateId": g.template_id, "azs": list(g.azs), **_owned(g)}
            for g in _sorted(w.availability_groups.values(), "ag_id")
        ),
        "tasks": collect(
            {"kind": t.kind, "resourceId": t.resource_id, "started": time(t.started), "ref": t.ref}
            for t in _sorted(w.tasks.values(), "resource_id")
        ),
        "clientTokens": collect(
            {"ownerPin": pin, "regionId": region, "clientToken": token, "instanceIds": list(ids)}
            for (pin, region, token), ids in sorted(w.client_tokens.items())
        ),
    }


def world_to_json(world: WorldState) -> str:
    """The snapshot of ``world`` as compact JSON text (non-ASCII characters as themselves): the text of
    ``json.dumps(world_to_dict(world), ensure_ascii=False, separators=(",", ":"))``, serialised by
    pydantic-core's JSON writer (Rust), several times faster than ``json.dumps``.

    The collections are written a slice of entries at a time, each slice's dicts made just before it is
    written and let go after, so the whole document never exists at once: a 100,000-instance world's would be
    about a gigabyte of short-lived objects, and fresh memory costs more than reused (page faults)."""
    pieces: list[str] = []
    with collector_paused():
        for key, value in _document(world, _Stream).items():
            pieces += (",", _text(key), ":")
            if isinstance(value, _Stream):
                value.write(pieces)
            else:
                pieces.append(_text(value))
    pieces[0] = "{"  # in place of the first comma
    pieces.append("}")
    return "".join(pieces)


def _text(value: object) -> str:
    return to_json(value).decode()


class _Stream:
    """A collection of the document left unmade: ``write`` makes and writes its entries a slice at a time."""

    __slots__ = ("entries",)
    SLICE = 1000

    def __init__(self, entries: Iterable[JSON]) -> None:
        self.entries = iter(entries)

    def write(self, pieces: list[str]) -> None:
        pieces.append("[")
        separator = ""
        while entries := list(islice(self.entries, self.SLICE)):
            pieces += (separator, _text(entries)[1:-1])  # a slice's entries without its brackets
            separator = ","
        pieces.append("]")

