"""Worked examples for the spec: data (setup steps and a request), run through the engine on the default world.

A setup step is either a ``Build`` (a helper below adding resources directly, no rules run) or a ``Call`` (an
operation executed through the engine, which must succeed). After every step the world is settled. Strings of
the form ``"$name"`` in arguments and parameters are replaced by the id bound to ``name`` by an earlier step.
An example whose operation, or an operation of one of its ``Call`` steps, is not implemented is skipped.
``expect`` is None for a request that must succeed, else the id of the rule that must refuse it; a mismatch is
reported as a problem by the generator.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from vmrules import builders
from vmrules.builders import DataDiskPlan
from vmrules.engine import execute, settle
from vmrules.model import Charge, Image
from vmrules.operation import Outcome
from vmrules.operations import OPERATION_TABLE
from vmrules.world import World

JSON = dict[str, Any]
NORTH = "cn-north-1"
PASSWORD = "Tq7#mPz4Lw"


@dataclass(frozen=True, slots=True)
class Build:
    helper: str  # a name in HELPERS
    args: Mapping[str, Any] = field(default_factory=dict)
    bind: str | None = None


@dataclass(frozen=True, slots=True)
class Call:
    operation: str
    params: Mapping[str, Any]
    bind: str | None = None
    take: str | None = None  # dotted path into the result whose value is bound (e.g. "instanceIds.0")


@dataclass(frozen=True, slots=True)
class Example:
    operation: str
    title: str
    params: Mapping[str, Any]
    setup: tuple[Build | Call, ...] = ()
    caller: str | None = None
    expect: str | None = None


# ---- helpers for Build steps: (world, args) -> (bound id or None, world) -------------------------------------

Helper = Callable[[World, Mapping[str, Any]], tuple[str | None, World]]


def _instance(world: World, args: Mapping[str, Any]) -> tuple[str | None, World]:
    kwargs = dict(args)
    if "data_disks" in kwargs:
        kwargs["data_disks"] = [DataDiskPlan(**d) for d in kwargs["data_disks"]]
    if "charge" in kwargs:
        kwargs["charge"] = Charge(**kwargs["charge"])
    return builders.add_instance(world, **kwargs)


def _private_image(world: World, args: Mapping[str, Any]) -> tuple[str | None, World]:
    """A ready private cloudDisk CentOS image with a system-disk snapshot, owned by ``owner`` (default: alice)."""
    owner = str(args.get("owner", world.default_account))
    image_id, world = world.new_id("img-")
    snapshot_id, world = builders.add_snapshot(world, owner=owner, region=NORTH, disk_type="ssd", size_gb=40,
                                               image_id=image_id)
    image = Image(image_id, owner, NORTH, str(args.get("name", "web-base")), "private", "CentOS", "linux", "7.6",
                  "cloudDisk", 40, "ready", create_time=world.clock, size_mb=10240,
                  desc=str(args.get("desc", "web server base image")), snapshot_id=snapshot_id,
                  shared_with=tuple(args.get("shared_with", ())))
    return image_id, builders.add_image(world, image)


def _task(world: World, args: Mapping[str, Any]) -> tuple[str | None, World]:
    """Put a task in progress on a resource (as if an earlier operation were still running)."""
    return None, world.with_task(str(args["resource"]), str(args["kind"]))


def _charge(world: World, args: Mapping[str, Any]) -> tuple[str | None, World]:
    """Replace an instance's billing record."""
    inst = world.instances[str(args["instance"])]
    charge = Charge(**{k: v for k, v in args.items() if k != "instance"})
    return None, world.evolve(instances=world.instances.set(inst.instance_id, replace(inst, charge=charge)))


HELPERS: dict[str, Helper] = {
    "instance": _instance,
    "private_image": _private_image,
    "task": _task,
    "charge": _charge,
}

# Helpers whose effect ``settle`` would undo: the world is not settled after them.
UNSETTLED = frozenset({"task"})

VM = Build("instance", {"name": "web"}, bind="vm")
STOPPED_VM = Build("instance", {"name": "web", "status": "stopped"}, bind="vm")
IMAGE = Build("private_image", {}, bind="img")
SHARED_IMAGE = Build("private_image", {"shared_with": ["bob"]}, bind="img")


def _p(**params: Any) -> dict[str, Any]:
    return {"regionId": NORTH, **params}


EXAMPLES: tuple[Example, ...] = (
    Example("associateElasticIp", "Bind a free elastic IP of the instance's zone",
            _p(instanceId="$vm", elasticIpId="fip-free00001a"), (VM,)),
    Example("attachDisk", "Attach an available SSD data disk to a running instance",
            _p(instanceId="$vm", diskId="vol-ssd0000001"), (VM,)),
    Example("attachDisk", "A disk in another availability zone cannot be attached",
            _p(instanceId="$vm", diskId="vol-ssd1b00001"), (VM,), expect="ATTACH_DISK.SAME_AZ"),
    Example("attachNetworkInterface", "Attach a secondary network interface of the same VPC",
            _p(instanceId="$vm", networkInterfaceId="port-eniplain01"), (VM,)),
    Example("copyImages", "Copy a private image to cn-east-2",
            _p(sourceImageIds=["$img"], destinationRegion="cn-east-2"), (IMAGE,)),
    Example("createImage", "Make a private image of a stopped instance",
            _p(instanceId="$vm", name="web-backup", description="nightly backup"), (STOPPED_VM,)),
    Example("createInstances", "Create one instance with a cloud system disk (normal mode)",
            _p(instanceSpec={
                "name": "web", "az": "cn-north-1a", "imageId": "img-centos7cld", "instanceType": "g.n2.medium",
                "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
                "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}},
            }, maxCount=1)),
    Example("createInstances", "An elastic IP above the seed's 100 Mbps is refused",
            _p(instanceSpec={
                "name": "web", "az": "cn-north-1a", "imageId": "img-centos7cld", "instanceType": "g.n2.medium",
                "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
                "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}},
                "elasticIp": {"bandwidthMbps": 200, "provider": "bgp"},
            }), expect="CREATE_INSTANCES.EIP_BANDWIDTH"),
    Example("deleteImage", "Delete an unshared private image", _p(imageId="$img"), (IMAGE,)),
    Example("deleteImage", "A shared image must be unshared first", _p(imageId="$img"), (SHARED_IMAGE,),
            expect="DELETE_IMAGE.NOT_SHARED"),
    Example("deleteInstance", "Delete a running instance billed by configuration", _p(instanceId="$vm"), (VM,)),
    Example("describeImage", "Describe an official image", _p(imageId="img-centos7cld")),
    Example("describeImageConstraints", "An official image that excludes generation-1 types",
            _p(imageId="img-ubuntu18cd")),
    Example("describeImageConstraintsBatch", "Constraints of two images",
            _p(ids=["img-ubuntu18cd", "img-lampthird1"])),
    Example("describeImageMembers", "The accounts a private image is shared with", _p(imageId="$img"),
            (SHARED_IMAGE,)),
    Example("describeImages", "Third-party images", _p(imageSource="thirdparty")),
    Example("describeInstance", "Describe one instance", _p(instanceId="$vm"), (VM,)),
    Example("describeInstancePrivateIpAddress", "Private IPs of one instance",
            _p(filters=[{"name": "instanceId", "values": ["$vm"]}]), (VM,)),
    Example("describeInstanceStatus", "Status of one instance",
            _p(filters=[{"name": "instanceId", "values": ["$vm"]}]), (VM,)),
    Example("describeInstanceTypes", "One instance type",
            _p(filters=[{"name": "instanceTypes", "values": ["g.n2.medium"]}])),
    Example("describeInstanceVncUrl", "VNC address of a running instance", _p(instanceId="$vm"), (VM,)),
    Example("describeInstances", "Instances filtered by id",
            _p(filters=[{"name": "instanceId", "values": ["$vm"]}]), (VM,)),
    Example("describeQuotas", "Instance and image quotas",
            _p(filters=[{"name": "resourceTypes", "values": ["instance", "image"]}])),
    Example("detachDisk", "Detach a data disk attached earlier", _p(instanceId="$vm", diskId="vol-ssd0000001"),
            (VM, Call("attachDisk", _p(instanceId="$vm", diskId="vol-ssd0000001")))),
    Example("detachNetworkInterface", "Detach a secondary interface attached earlier",
            _p(instanceId="$vm", networkInterfaceId="port-eniplain01"),
            (VM, Call("attachNetworkInterface", _p(instanceId="$vm", networkInterfaceId="port-eniplain01")))),
    Example("disassociateElasticIp", "Unbind the elastic IP bound earlier",
            _p(instanceId="$vm", elasticIpId="fip-free00001a"),
            (VM, Call("associateElasticIp", _p(instanceId="$vm", elasticIpId="fip-free00001a")))),
    Example("modifyImageAttribute", "Rename a private image",
            _p(imageId="$img", name="web-base-v2", description="web server base image, v2"), (IMAGE,)),
    Example("modifyInstanceAttribute", "Rename an instance",
            _p(instanceId="$vm", name="web-01", description="front end"), (VM,)),
    Example("modifyInstanceDiskAttribute", "Delete an attached data disk with its instance",
            _p(instanceId="$vm", dataDisks=[{"diskId": "vol-ssd0000001", "autoDelete": True}]),
            (VM, Call("attachDisk", _p(instanceId="$vm", diskId="vol-ssd0000001")))),
    Example("modifyInstanceNetworkAttribute", "Delete an attached secondary interface with its instance",
            _p(instanceId="$vm", networks=[{"networkInterfaceId": "port-eniplain01", "autoDelete": True}]),
            (VM, Call("attachNetworkInterface", _p(instanceId="$vm", networkInterfaceId="port-eniplain01")))),
    Example("modifyInstancePassword", "Set a new password (applies at the next boot)",
            _p(instanceId="$vm", password=PASSWORD), (VM,)),
    Example("rebootInstance", "Reboot a running instance", _p(instanceId="$vm"), (VM,)),
    Example("rebootInstance", "A stopped instance cannot be rebooted", _p(instanceId="$vm"), (STOPPED_VM,),
            expect="REBOOT_INSTANCE.STATUS_RUNNING"),
    Example("rebuildInstance", "Rebuild a stopped instance from another cloudDisk image",
            _p(instanceId="$vm", imageId="img-ubuntu18cd", password=PASSWORD), (STOPPED_VM,)),
    Example("resizeInstance", "Resize a stopped instance within generation 2",
            _p(instanceId="$vm", instanceType="g.n2.large"), (STOPPED_VM,)),
    Example("resizeInstance", "A running instance cannot be resized",
            _p(instanceId="$vm", instanceType="g.n2.large"), (VM,), expect="RESIZE_INSTANCE.STATUS_STOPPED"),
    Example("shareImage", "Share a private image with another account", _p(imageId="$img", pins=["bob"]),
            (IMAGE,)),
    Example("shareImage", "Another account's private image is not found (its existence does not leak)",
            _p(imageId="$img", pins=["member01"]), (IMAGE,), caller="bob", expect="IMAGE.EXISTS"),
    Example("startInstance", "Start a stopped instance", _p(instanceId="$vm"), (STOPPED_VM,)),
    Example("startInstance", "An instance in arrears cannot be started", _p(instanceId="$vm"),
            (STOPPED_VM, Build("charge", {"instance": "$vm", "mode": "postpaid_by_duration",
                                          "status": "arrear"})),
            expect="START_INSTANCE.CHARGE_NORMAL"),
    Example("stopInstance", "Stop a running instance", _p(instanceId="$vm"), (VM,)),
    Example("stopInstance", "An instance with a task in progress cannot be stopped", _p(instanceId="$vm"),
            (VM, Build("task", {"resource": "$vm", "kind": "rebootInstance"})), expect="STOP_INSTANCE.NO_TASK"),
    Example("unShareImage", "Withdraw sharing from an account", _p(imageId="$img", pins=["bob"]),
            (SHARED_IMAGE,)),
)


# ---- running ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StepRecord:
    description: str
    bound: tuple[str, str] | None  # (name, id)


@dataclass(frozen=True, slots=True)
class Run:
    """An example after running it: the concrete request, the outcome and the worlds around it."""

    example: Example
    steps: tuple[StepRecord, ...]
    params: JSON
    before: World
    outcome: Outcome
    settled: World
    problem: str | None


def runnable(example: Example) -> bool:
    ops = [example.operation, *(s.operation for s in example.setup if isinstance(s, Call))]
    return all(op in OPERATION_TABLE for op in ops)


def substitute(value: Any, names: Mapping[str, str]) -> Any:
    if isinstance(value, str) and value.startswith("$") and value[1:] in names:
        return names[value[1:]]
    if isinstance(value, Mapping):
        return {k: substitute(v, names) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [substitute(v, names) for v in value]
    return value


def _take(result: Any, path: str) -> Any:
    for part in path.split("."):
        result = result[int(part)] if isinstance(result, list) else result[part]
    return result


def _describe_args(args: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in args.items())


def run_example(example: Example, world: World | None = None) -> Run:
    """Run the setup steps and the request on ``world`` (default: the default world)."""
    world = World.default() if world is None else world
    names: dict[str, str] = {}
    records: list[StepRecord] = []
    problem: str | None = None
    for step in example.setup:
        if isinstance(step, Build):
            args = substitute(step.args, names)
            bound, world = HELPERS[step.helper](world, args)
            text = f"{step.helper}({_describe_args(args)})"
        else:
            params = substitute(step.params, names)
            out = execute(world, step.operation, params)
            text = f"{step.operation} {_compact(params)}"
            if out.error is not None:
                problem = problem or f"setup step {text} failed: {out.error.rule}: {out.error.message}"
                bound = None
            else:
                world = out.world
                bound = str(_take(out.result, step.take)) if step.take else None
        if not (isinstance(step, Build) and step.helper in UNSETTLED):
            world = settle(world)
        if step.bind and bound is not None:
            names[step.bind] = bound
        records.append(StepRecord(text, (step.bind, bound) if step.bind and bound is not None else None))
    params = substitute(example.params, names)
    outcome = execute(world, example.operation, params, caller=example.caller)
    got = None if outcome.error is None else outcome.error.rule
    if problem is None and got != example.expect:
        want = "success" if example.expect is None else example.expect
        detail = f"{got}: {outcome.error.message}" if outcome.error is not None else "success"
        problem = f"expected {want}, got {detail}"
    return Run(example, tuple(records), params, world, outcome, settle(outcome.world), problem)


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
