"""createInstances: the transition (the instances, disks, interfaces and elastic IPs it creates) and the
completion that makes a created instance running."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from vmrules.builders import DataDiskPlan, ElasticIpPlan, add_instance
from vmrules.ids import password_digest
from vmrules.model import Charge, Task
from vmrules.operations.create.plan import DATA_DISK_LIMITS, MONTH, YEAR, CreateCtx, DiskPlan, instance_count, nic_spec
from vmrules.operations.create.request import ChargeSpec
from vmrules.operations.params import expand_ordered, ordered_token
from vmrules.world import World

JSON = dict[str, Any]


def _instance_charge(spec: ChargeSpec | None, clock: int) -> Charge:
    if spec is None or spec.chargeMode != "prepaid_by_duration":
        return Charge("postpaid_by_duration", "normal", clock)
    unit = spec.chargeUnit or "month"
    duration = spec.chargeDuration or 1
    return Charge("prepaid_by_duration", "normal", clock, clock + duration * (MONTH if unit == "month" else YEAR))


def _eip_charge(spec: ChargeSpec | None, instance: Charge, clock: int) -> Charge:
    if spec is None or spec.chargeMode is None or spec.chargeMode == "postpaid_by_usage":
        return Charge("postpaid_by_usage", "normal", clock)
    return instance


_NOT_HOSTNAME_CHAR = re.compile(r"[^A-Za-z0-9-]")
_DASH_RUN = re.compile(r"-{2,}")


def default_hostname(name_: str, limit: int) -> str:
    """A host name derived from an instance name: other characters become '-', runs of '-' collapse, no '-' at
    either end, cut to ``limit``; ``instance`` when nothing is left."""
    text = _NOT_HOSTNAME_CHAR.sub("-", name_)
    text = _DASH_RUN.sub("-", text).strip("-")[:limit].strip("-")
    return text if len(text) >= 2 else "instance"


def _hostnames(ctx: CreateCtx, names: list[str]) -> list[str]:
    n = len(names)
    given = ctx.spec.hostname
    windows = ctx.image is not None and ctx.image.os_type == "windows"
    if given is None:
        limit = 15 if windows else 64
        base = [default_hostname(nm, limit) for nm in names]
        if n > 1 and ordered_token(ctx.spec.name) is None:
            return [f"{b}{i + 1}" for i, b in enumerate(base)]
        return base
    if ordered_token(given) is not None:
        return [expand_ordered(given, i) for i in range(n)]
    if n > 1:
        return [f"{given}{i + 1}" for i in range(n)]
    return [given]


_DATA_DEVICE_NAMES = tuple(f"vd{c}" for c in "bcdefghijklmnopqrstuvwxyz")


def _device_names(disks: tuple[DiskPlan, ...]) -> list[str]:
    """Each disk's device name: its own, else the first of vdb..vdz neither named nor handed out before."""
    used = {"vda"}
    used.update(d.device_name for d in disks if d.device_name is not None)
    names = []
    candidates = iter(_DATA_DEVICE_NAMES)
    for d in disks:
        if d.device_name is not None:
            names.append(d.device_name)
            continue
        free = next(c for c in candidates if c not in used)  # names only get used, so the scan resumes
        used.add(free)
        names.append(free)
    return names


# effect: CREATE_INSTANCES.DATA_DISK_FROM_SNAPSHOT (size from the snapshot when not given)
def _data_disk_plans(ctx: CreateCtx, prepaid: bool) -> list[DataDiskPlan]:
    plans = []
    disks = ctx.plan.data_disks
    for d, device in zip(disks, _device_names(disks), strict=True):
        size = d.size_gb
        if size is None and d.snapshot_id is not None:
            snap = ctx.world.snapshots.get(d.snapshot_id)
            size = snap.size_gb if snap is not None else DATA_DISK_LIMITS["ssd"][0]
        # effect: CREATE_INSTANCES.DATA_DISK_AUTO_DELETE_DEFAULT
        auto_delete = (True if d.auto_delete is None else d.auto_delete) and not prepaid and not d.multi_attachable
        plans.append(DataDiskPlan(d.disk_type or "ssd", size or DATA_DISK_LIMITS["ssd"][0], auto_delete, d.snapshot_id,
                                  device, multi_attachable=d.multi_attachable, encrypted=d.encrypted))
    return plans


def apply(ctx: CreateCtx) -> tuple[World, JSON]:
    # effect: CREATE_INSTANCES.CLIENT_TOKEN_REPLAY
    if ctx.replay is not None:
        return ctx.world, {"instanceIds": list(ctx.replay)}
    plan, spec = ctx.plan, ctx.spec
    assert plan.instance_type is not None and plan.image_id is not None and plan.subnet_id is not None
    assert ctx.subnet is not None and ctx.image is not None
    world = ctx.world
    n = instance_count(ctx)
    charge = _instance_charge(spec.charge, world.clock)
    prepaid = charge.mode == "prepaid_by_duration"
    names = [expand_ordered(spec.name, i) for i in range(n)]
    hostnames = _hostnames(ctx, names)
    cloud = plan.system_category == "cloud"
    system_auto_delete = True if not cloud else (not prepaid and plan.system_auto_delete is not False)
    data = _data_disk_plans(ctx, prepaid)
    nic = nic_spec(spec)
    digest = password_digest(spec.password) if spec.password is not None else None
    eip = (ElasticIpPlan(plan.eip_bandwidth, plan.eip_provider or "bgp",
                         _eip_charge(plan.eip_charge, charge, world.clock))
           if plan.has_eip and plan.eip_bandwidth is not None else None)
    ids: list[str] = []
    # effect: CREATE_INSTANCES.MAX_COUNT_DEFAULT, CREATE_INSTANCES.MAX_COUNT_BEST_EFFORT (n: as many as fit)
    for i in range(n):
        # effect: CREATE_INSTANCES.VM_AZ_OVERRIDES_DISK_AZ, CREATE_INSTANCES.DISKS_FOLLOW_INSTANCE_BILLING,
        #   CREATE_INSTANCES.SYSTEM_DISK_SIZE_DEFAULT, CREATE_INSTANCES.DEFAULT_SECURITY_GROUP_USED,
        #   CREATE_INSTANCES.PRIMARY_DEVICE_INDEX (add_instance builds every disk in az with charge, sizes a cloud
        #   system disk from the image and puts the primary interface at deviceIndex 1 in the default group when none is
        #   given)
        az = plan.azs[i % len(plan.azs)]
        iid, world = add_instance(
            world, owner=ctx.caller, az=az, name=names[i], instance_type=plan.instance_type, image_id=plan.image_id,
            subnet_id=plan.subnet_id, security_group_ids=plan.security_groups or (),
            system_disk="cloud" if cloud else "local", system_disk_type=plan.system_type or "ssd",
            system_disk_size_gb=plan.system_size if cloud else None, system_disk_auto_delete=system_auto_delete,
            data_disks=data, status="pending", charge=charge, ag_id=ctx.ag.ag_id if ctx.ag is not None else None,
            key_names=plan.key_names, private_ip=plan.primary_ip, description=spec.description or "",
            hostname=hostnames[i], password_digest=digest,
            nic_name=(nic.networkInterfaceName or "") if nic is not None else "",
            nic_description=(nic.description or "") if nic is not None else "",
            sanity_check=nic.sanityCheck if nic is not None and nic.sanityCheck is not None else 1,
            task="createInstances", elastic_ip=eip,
        )
        ids.append(iid)
    token = ctx.req.clientToken
    if token:  # an empty token is not recorded: it names no request
        world = world.evolve(client_tokens=world.client_tokens.set((ctx.caller, ctx.region, token), tuple(ids)))
    return world, {"instanceIds": ids}


# effect: CREATE_INSTANCES.RUNNING_WHEN_CREATED (settle)
def created(world: World, task: Task) -> World:
    inst = world.instances.get(task.resource_id)
    if inst is None or inst.status != "pending":
        return world
    return world.with_instance(replace(inst, status="running"))
