"""Result shapes for the spec pages: the JSON types of every field of an operation's result, list items included.

Shapes are merged over every successful call seen: the worked examples and a probe run on a richer world (an
instance with data disks, a key, an elastic IP and a secondary interface; a whole-machine image shared with
another account), so that lists empty in one call get their item shape from another. A field seen with several
types shows them all (``"string | null"``); a list never seen with an item says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vmrules.engine import execute, settle
from vmrules.world import World

NEVER_FILLED = "list: no call seen returned an item"
NORTH = {"regionId": "cn-north-1"}


def shape_of(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: shape_of(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [shape_of(v) for v in value]
        merged: Any = None
        for item in items:
            merged = item if merged is None else merge(merged, item)
        return [merged] if items else []
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "null" if value is None else type(value).__name__


def merge(a: Any, b: Any) -> Any:
    """One shape covering both: objects key-wise, lists item-wise, scalars as a union of type names."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = dict(a)
        for k, v in b.items():
            out[k] = merge(out[k], v) if k in out else v
        return out
    if isinstance(a, list) and isinstance(b, list):
        if not a or not b:
            return a or b
        return [merge(a[0], b[0])]
    if a == b:
        return a
    if a == "null" and not isinstance(b, str):
        return b  # a null seen once and an object or list elsewhere: show the structure
    if b == "null" and not isinstance(a, str):
        return a
    names = sorted({*str(a).split(" | "), *str(b).split(" | ")}, key=lambda n: (n == "null", n))
    return " | ".join(names) if isinstance(a, str) and isinstance(b, str) else a


def fill_empty(shape: Any) -> Any:
    """Lists that stayed empty are marked instead of shown as ``[]``."""
    if isinstance(shape, dict):
        return {k: fill_empty(v) for k, v in shape.items()}
    if isinstance(shape, list):
        return [fill_empty(shape[0])] if shape else [NEVER_FILLED]
    return shape


def probe_results() -> dict[str, list[dict[str, Any]]]:
    """Results of the read operations (and the calls setting them up) on a world with more in it."""
    out: dict[str, list[dict[str, Any]]] = {}

    def call(world: World, op: str, caller: str | None = None, **params: Any) -> World:
        outcome = execute(world, op, {**NORTH, **params}, caller=caller)
        if outcome.ok:
            out.setdefault(op, []).append(outcome.result)
        return settle(outcome.world)

    world = World.default()
    spec = {"name": "probe", "az": "cn-north-1a", "instanceType": "g.n2.large", "imageId": "img-centos7cld",
            "keyNames": ["alice-key"], "elasticIp": {"bandwidthMbps": 5},
            "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
            "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd"}},
            "dataDisks": [{"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 20}}]}
    created = execute(world, "createInstances", {**NORTH, "instanceSpec": spec})
    if not created.ok:
        return out
    iid = created.result["instanceIds"][0]
    world = settle(created.world)
    world = call(world, "attachNetworkInterface", instanceId=iid, networkInterfaceId="port-eniplain01")
    for op in ("describeInstance", "describeInstanceVncUrl"):
        world = call(world, op, instanceId=iid)
    for op in ("describeInstances", "describeInstanceStatus", "describeInstancePrivateIpAddress"):
        world = call(world, op)
    world = call(world, "stopInstance", instanceId=iid)
    made = execute(world, "createImage", {**NORTH, "instanceId": iid, "name": "probe-image"})
    if made.ok:
        image_id = made.result["imageId"]
        world = settle(made.world)
        world = call(world, "shareImage", imageId=image_id, pins=["bob"])
        world = call(world, "describeImage", imageId=image_id)
        world = call(world, "describeImages", imageSource="private")
        world = call(world, "describeImages", caller="bob", imageSource="shared")
        world = call(world, "describeImageMembers", imageId=image_id)
        world = call(world, "describeQuotas", imageId=image_id)
    world = call(world, "describeImageConstraintsBatch")
    call(world, "describeInstanceTypes")
    return out
