"""World snapshots: exact round trips, JSON compatibility, path-naming errors, the published schema, usage."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from helpers import NORTH, instance, ok, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from vmrules import World, settle
from vmrules.builders import DataDiskPlan, add_elastic_ip, add_image, add_instance, add_snapshot, bind_elastic_ip
from vmrules.defaults import MAIN, MEMBERS
from vmrules.model import Charge, Image, ImageConstraint, ImageDisk
from vmrules.snapshot import REGENERATE_SCHEMA, SnapshotError, world_from_dict, world_schema_text, world_to_dict
from vmrules.snapshot.document import WorldSnapshot
from vmrules.usage import recount_usage

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "docs" / "world-schema.json"


def round_trip(world: World) -> World:
    """to_dict -> JSON text -> from_dict, asserting the result equals the input, field by field."""
    data = world.to_dict()
    back = World.from_dict(json.loads(json.dumps(data)))
    differing = [name for name in World.__dataclass_fields__ if getattr(back, name) != getattr(world, name)]
    assert differing == []
    assert back == world
    assert back.to_dict() == data
    return back


def busy_world(world: World) -> tuple[World, dict[str, str]]:
    """A world with instances of every kind the builders make, mid-task, with a pending password, a bound EIP,
    a client token, a shared private image and a prepaid instance."""
    ids: dict[str, str] = {}
    ids["cloud"], world = instance(world, data_disks=[DataDiskPlan("ssd", 50),
                                                      DataDiskPlan("premium-hdd", 100, auto_delete=False)])
    ids["local"], world = add_instance(world, system_disk="local", image_id="img-centos7lcl", status="pending",
                                       name="local", data_disks=[DataDiskPlan("ssd", 20, device_name="vdc")])
    prepaid = Charge("prepaid_by_duration", "normal", world.clock, world.clock + 3600)
    ids["prepaid"], world = instance(world, charge=prepaid, ag_id="ag-web00000001", key_names=["alice-key"],
                                     az="cn-north-1b", subnet_id="subnet-main00001b")
    ids["billless"], world = instance(world, status="error")
    world = world.evolve(instances=world.instances.set(
        ids["billless"], replace(world.instances[ids["billless"]], charge=None)))
    cloud = world.instances[ids["cloud"]]
    world = world.evolve(instances=world.instances.set(
        cloud.instance_id, replace(cloud, password_digest="a" * 64, pending_password_digest="b" * 64)))
    ids["eip"], world = add_elastic_ip(world, owner=MAIN, region=NORTH, bandwidth_mbps=7, az="cn-north-1a")
    world = bind_elastic_ip(world, ids["eip"], cloud.primary_nic_id)
    ids["snap"], world = add_snapshot(world, owner=MAIN, region=NORTH, disk_type="ssd", size_gb=40,
                                      source_disk_id=cloud.system_disk.disk_id, image_id="img-private001")
    image = Image("img-private001", MAIN, NORTH, "golden", "private", "CentOS", "linux", "7.6", "cloudDisk", 40,
                  "pending", create_time=world.clock, snapshot_id=ids["snap"],
                  data_disks=(ImageDisk("vdb", "ssd", 50, None),), shared_with=(MEMBERS[0], MEMBERS[1]),
                  constraint=ImageConstraint("includes", ("g.n2.medium",)), source_instance_id=cloud.instance_id,
                  progress="40%")
    world = add_image(world, image)
    world = world.evolve(client_tokens=world.client_tokens.set((MAIN, NORTH, "token-1"), (ids["cloud"],)))
    world = world.with_task(ids["local"], "startInstance")
    return world, ids


def test_default_world_round_trips() -> None:
    world = World.default()
    round_trip(world)
    assert World.from_dict(world.to_dict()) == world


def test_built_world_round_trips(world: World) -> None:
    world, ids = busy_world(world)
    assert world.tasks and world.client_tokens and world.instances[ids["cloud"]].pending_password_digest
    back = round_trip(world)
    assert back.instances[ids["local"]].system_disk.category == "local"
    assert back.instances[ids["billless"]].charge is None
    assert back.images["img-private001"].shared_with == (MEMBERS[0], MEMBERS[1])
    assert back.elastic_ips[ids["eip"]].nic_id == back.instances[ids["cloud"]].primary_nic_id
    assert round_trip(settle(world)) == settle(back)


def test_worlds_along_an_operation_scenario_round_trip(world: World) -> None:
    """Every world reached through execute (attach, detach, associate, password, stop, image, share, delete)."""
    iid, world = instance(world)
    steps: list[tuple[str, dict[str, Any]]] = [
        ("attachDisk", {"instanceId": iid, "diskId": "vol-ssd0000001"}),
        ("detachDisk", {"instanceId": iid, "diskId": "vol-ssd0000001"}),
        ("associateElasticIp", {"instanceId": iid, "elasticIpId": "fip-free00001a"}),
        ("attachNetworkInterface", {"instanceId": iid, "networkInterfaceId": "port-eniplain01"}),
        ("modifyInstancePassword", {"instanceId": iid, "password": "Tq7#mWz9Lp"}),
        ("stopInstance", {"instanceId": iid}),
        ("createImage", {"instanceId": iid, "name": "golden", "description": "from the scenario"}),
    ]
    for operation, params in steps:
        world = ok(run(world, operation, **params))
        round_trip(world)  # with the task in progress
        world = settle(world)
        round_trip(world)
    mine = [i for i in world.images.values() if i.source == "private"]
    assert len(mine) == 1 and world.instances[iid].pending_password_digest is not None  # applies at next boot
    world = ok(run(world, "shareImage", imageId=mine[0].image_id, pins=["bob"]))
    world = ok(run(world, "deleteInstance", instanceId=iid))
    round_trip(world)
    round_trip(settle(world))


def test_snapshot_is_plain_json_and_deterministic(world: World) -> None:
    world, _ = busy_world(world)
    data = world_to_dict(world)
    text = json.dumps(data, sort_keys=True, allow_nan=False)
    assert json.loads(text) == data
    # Equal worlds built in a different order give the same snapshot: collections are sorted.
    reordered = World.from_dict({**data, "disks": list(reversed(data["disks"]))})
    assert json.dumps(reordered.to_dict(), sort_keys=True) == text


def test_snapshot_uses_api_shapes_with_references(world: World) -> None:
    world, ids = busy_world(world)
    data = world.to_dict()
    inst = next(i for i in data["instances"] if i["instanceId"] == ids["cloud"])
    assert inst["systemDisk"]["cloudDisk"] == {"diskId": world.instances[ids["cloud"]].system_disk.disk_id}
    assert [d["cloudDisk"] for d in inst["dataDisks"]] == [{"diskId": d.disk_id}
                                                            for d in world.instances[ids["cloud"]].data_disks]
    assert inst["elasticIpId"] == ids["eip"] and inst["pendingPasswordDigest"] == "b" * 64
    assert inst["charge"]["chargeMode"] == "postpaid_by_duration"
    local = next(i for i in data["instances"] if i["instanceId"] == ids["local"])
    assert local["systemDisk"]["localDisk"] == {"diskType": "local", "diskSizeGB": 40}
    assert "usage" not in data


def test_nested_copies_and_derived_fields_are_ignored(world: World) -> None:
    world, _ = busy_world(world)
    data = world.to_dict()
    disks = {d["diskId"]: d for d in data["disks"]}
    for inst in data["instances"]:
        inst["privateIpAddress"] = "192.0.2.1"  # derived: ignored
        inst["tags"] = [{"key": "k", "value": "v"}]
        for dd in inst["dataDisks"]:
            dd["cloudDisk"] = {**disks[dd["cloudDisk"]["diskId"]], "diskSizeGB": 9999}  # a pasted copy
    assert World.from_dict(data) == world


def test_recorded_charge_status_is_kept_past_expiry(world: World) -> None:
    world, ids = busy_world(world)
    later = world.evolve(clock=world.clock + 7200)
    entry = next(i for i in later.to_dict()["instances"] if i["instanceId"] == ids["prepaid"])
    assert entry["charge"]["chargeStatus"] == "normal"  # recorded; it reads as overdue from the clock
    back = round_trip(later)
    charge = back.instances[ids["prepaid"]].charge
    assert charge is not None and charge.effective_status(back.clock) == "overdue"


def test_usage_is_recomputed_not_stored(world: World) -> None:
    world, _ = busy_world(world)
    assert world.usage == recount_usage(world)
    assert world.used(MAIN, NORTH, "instance") == 4
    assert world.used(MAIN, NORTH, "image") == 1
    tampered = world.evolve(usage=world.usage.set((MAIN, NORTH, "instance"), 99))
    assert World.from_dict(tampered.to_dict()) == world


def test_recount_usage_counts_each_resource_type(world: World) -> None:
    assert recount_usage(world) == world.usage
    assert dict(recount_usage(world)) == {(MAIN, NORTH, "keypair"): 2, (MAIN, NORTH, "instanceTemplate"): 1}
    _, world = instance(world, instance_type="g.n2.large")
    _, world = instance(world, instance_type="g.n2.micro")
    counts = recount_usage(world)
    assert counts[(MAIN, NORTH, "instance")] == 2
    assert counts[(MAIN, NORTH, "instance_cpu")] == 4 + 1
    assert counts[(MAIN, NORTH, "instance_memory")] == 16 + 1
    assert counts == world.usage


def test_empty_snapshot_is_the_empty_world() -> None:
    assert World.from_dict({}) == World()
    assert round_trip(World()) == World()


# ---- malformed snapshots ------------------------------------------------------------------------------


def _set(*path: Any, value: Any) -> Any:
    def mutate(d: Any) -> None:
        for key in path[:-1]:
            d = d[key]
        d[path[-1]] = value
    return mutate


def _drop(*path: Any) -> Any:
    def mutate(d: Any) -> None:
        for key in path[:-1]:
            d = d[key]
        del d[path[-1]]
    return mutate


def _ghost_attachment(d: Any) -> None:
    d["disks"].sort(key=lambda disk: disk["diskId"] != "vol-ssd0000001")
    d["disks"][0]["attachments"] = [{"instanceId": "i-ghost", "status": "attached"}]


def _attach_twice(d: Any) -> None:
    d["disks"].sort(key=lambda disk: not disk["attachments"] or disk["multiAttachable"])
    d["disks"][0]["attachments"].append(copy.deepcopy(d["disks"][0]["attachments"][0]))


def _bob_eip_on_alice_instance(d: Any) -> None:
    nic_id = d["instances"][0]["primaryNetworkInterface"]["networkInterface"]["networkInterfaceId"]
    nic = next(n for n in d["networkInterfaces"] if n["networkInterfaceId"] == nic_id)
    d["elasticIps"].sort(key=lambda e: e["elasticIpId"] != "fip-bobfree001")
    d["elasticIps"][0].update(networkInterfaceId=nic_id, instanceId=d["instances"][0]["instanceId"],
                              privateIpAddress=nic["primaryIp"]["privateIpAddress"])
    nic["primaryIp"]["elasticIpId"] = "fip-bobfree001"


def _public_image_with_owner(d: Any) -> None:
    d["images"].sort(key=lambda i: i["imageSource"] != "public")
    d["images"][0]["ownerPin"] = "alice"


def _two_interfaces_one_address(d: Any) -> None:
    d["networkInterfaces"].sort(key=lambda n: n["subnetId"] != "subnet-main00001a"
                                or bool(n["primaryIp"]["elasticIpId"]))
    first, second = d["networkInterfaces"][:2]
    second["primaryIp"]["privateIpAddress"] = first["primaryIp"]["privateIpAddress"]


def _dup(collection: str) -> Any:
    return lambda d: d[collection].append(copy.deepcopy(d[collection][0]))


MALFORMED = [
    ("wrong type", _set("instanceTypes", 0, "cpu", value="4"), "instanceTypes[0].cpu", "valid integer"),
    ("bool for int", _set("elasticIps", 0, "bandwidthMbps", value=True), "elasticIps[0].bandwidthMbps",
     "valid integer"),
    ("missing field", _drop("disks", 0, "diskType"), "disks[0].diskType", "required"),
    ("unknown status", _set("instances", 0, "status", value="exploded"), "instances[0].status", "'running'"),
    ("unknown disk category", _set("instances", 0, "systemDisk", "diskCategory", value="floppy"),
     "instances[0].systemDisk.diskCategory", "'local' or 'cloud'"),
    ("unknown field", _set("vpcs", 0, "colour", value="red"), "vpcs[0].colour", "Extra inputs"),
    ("bad time", _set("disks", 0, "createTime", value="yesterday"), "disks[0].createTime", "ISO-8601"),
    ("bad charge mode", _set("disks", 0, "charge", "chargeMode", value="free"), "disks[0].charge.chargeMode",
     "prepaid_by_duration"),
    ("not a list", _set("subnets", value={}), "subnets", "valid array"),
    ("duplicate disk", _dup("disks"), "disks[16]", "duplicate id"),
    ("duplicate instance", _dup("instances"), "instances[1]", "duplicate id"),
    ("dangling subnet vpc", _set("subnets", 0, "vpcId", value="vpc-gone"), "subnets[0].vpcId", "unknown VPC"),
    ("dangling primary interface",
     _set("instances", 0, "primaryNetworkInterface", "networkInterface", "networkInterfaceId", value="port-nope"),
     "instances[0].primaryNetworkInterface.networkInterface.networkInterfaceId", "not attached"),
    ("dangling data disk", _set("instances", 0, "dataDisks", 0, "cloudDisk", "diskId", value="vol-nope"),
     "instances[0].dataDisks[0].cloudDisk.diskId", "does not list"),
    ("dangling instance type", _set("instances", 0, "instanceType", value="x.n9.huge"),
     "instances[0].instanceType", "unknown instance type"),
    ("dangling instance subnet", _set("instances", 0, "subnetId", value="subnet-nope"), "instances[0].subnetId",
     "unknown subnet"),
    ("attachment not listed", _ghost_attachment, "disks[0].attachments[0].instanceId", "does not list"),
    ("unknown owner", _set("keypairs", 0, "ownerPin", value="mallory"), "keypairs[0].ownerPin", "unknown account"),
    ("az outside region", _set("instances", 0, "az", value="cn-east-2a"), "instances[0].az",
     "not an availability zone"),
    ("one-sided eip binding", _set("elasticIps", 0, "networkInterfaceId", value="port-eniplain01"),
     "elasticIps[0].networkInterfaceId", "does not carry"),
    ("unknown task kind", _set("tasks", value=[{"kind": "teleport", "resourceId": "x",
                                                "started": "2026-01-01T00:00:00Z"}]), "tasks[0].kind",
     "no completion"),
    ("local disk without size", _set("instances", 0, "systemDisk", value={"diskCategory": "local"}),
     "instances[0].systemDisk.localDisk", "needs localDisk"),
    ("local disk with a cloud disk", _set("instances", 0, "systemDisk", value={
        "diskCategory": "local", "localDisk": {"diskType": "ssd", "diskSizeGB": 40}, "cloudDisk": {"diskId": "vol-x"}}),
     "instances[0].systemDisk.cloudDisk", "has no cloudDisk"),
    ("cloud disk without its disk", _set("instances", 0, "systemDisk", value={"diskCategory": "cloud"}),
     "instances[0].systemDisk.cloudDisk", "needs cloudDisk"),
    ("cloud disk with a local disk", _set("instances", 0, "systemDisk", "localDisk",
                                          value={"diskType": "ssd", "diskSizeGB": 40}),
     "instances[0].systemDisk.localDisk", "has no localDisk"),
    ("unknown default account", _set("defaultAccount", value="zed"), "defaultAccount", "unknown account"),
    ("wrong format version", _set("formatVersion", value=2), "formatVersion", "1"),
    ("format version true", _set("formatVersion", value=True), "formatVersion", "valid integer"),
    ("format version 1.0", _set("formatVersion", value=1.0), "formatVersion", "valid integer"),
    # Inconsistent worlds (vmrules.consistency): the loader refuses what the engine could not work with.
    ("disk attached to one instance twice", _attach_twice, "disks[0].attachments", "attached to 2 instances"),
    ("elastic IP bound to another account's instance", _bob_eip_on_alice_instance,
     "elasticIps[0].networkInterfaceId", "of bob/cn-north-1 is bound to interface"),
    ("public image with an owner", _public_image_with_owner, "images[0].ownerPin", "owned by alice"),
    ("negative quota limit", _set("accounts", 0, "quotas", 0, "limit", value=-1), "accounts[0].quotas[0].limit",
     "negative"),
    ("two interfaces, one address", _two_interfaces_one_address, "networkInterfaces[1].primaryIp.privateIpAddress",
     "also the address"),
    ("subnet prefix not a network", _set("subnets", 0, "addressPrefix", value="10.0.1.7/24"),
     "subnets[0].addressPrefix", "not an IPv4 network"),
]


@pytest.mark.parametrize(("mutate", "path", "fragment"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_snapshot_names_the_path(world: World, mutate: Any, path: str, fragment: str) -> None:
    iid, world = instance(world, data_disks=[DataDiskPlan("ssd", 50)])
    data = world.to_dict()
    data["instances"].sort(key=lambda i: i["instanceId"] != iid)
    mutate(data)
    with pytest.raises(SnapshotError) as caught:
        World.from_dict(data)
    assert caught.value.path == path
    assert fragment in str(caught.value)
    assert str(caught.value).startswith(path)


@pytest.mark.parametrize("data", [None, [], "world", 3, 1.5])
def test_a_snapshot_must_be_an_object(data: object) -> None:
    with pytest.raises(SnapshotError) as caught:
        world_from_dict(data, World)
    assert caught.value.path == ""
    assert isinstance(caught.value, ValueError)


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                   max_size=3),
                     max_leaves=6)


def _leaf_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaf_paths(v, (*prefix, k))] or [prefix]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaf_paths(v, (*prefix, i))] or [prefix]
    return [prefix]


_DEFAULT = World.default()
_PATHS = _leaf_paths(_DEFAULT.to_dict())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(where=st.sampled_from(_PATHS), value=_JSON)
def test_any_corruption_is_a_snapshot_error_or_a_valid_world(where: tuple[Any, ...], value: Any) -> None:
    data = _DEFAULT.to_dict()
    target = data
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    try:
        world = World.from_dict(data)
    except SnapshotError as error:
        assert error.path.split(".")[0].split("[")[0] in data
        return
    assert World.from_dict(world.to_dict()) == world


# ---- the published JSON Schema --------------------------------------------------------------------------


def test_published_schema_is_current() -> None:
    current = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
    assert current == world_schema_text(), (
        f"docs/world-schema.json is out of date; regenerate it from the repository root with:\n{REGENERATE_SCHEMA}")


def test_schema_describes_the_collections_and_model_only_fields() -> None:
    schema = json.loads(world_schema_text())
    assert set(schema["properties"]) >= {"instances", "disks", "networkInterfaces", "elasticIps", "images",
                                         "instanceTypes", "subnets", "vpcs", "securityGroups", "tasks"}
    instance_fields = schema["$defs"]["Instance"]["properties"]
    assert instance_fields["pendingPasswordDigest"]["description"].startswith("model-only")
    assert instance_fields["privateIpAddress"]["description"].startswith("derived")
    assert schema["$defs"]["Instance"]["additionalProperties"] is False


def test_many_malformed_entries_stop_at_the_first(world: World) -> None:
    """A snapshot with 300,000 malformed entries is refused after the first bad entry of each list (pydantic's
    fail_fast), not after collecting an error per entry (which took ~100 s): the number of errors validation
    collects is bounded by the document's lists, whatever the number of bad entries."""
    doc = world_to_dict(world)
    doc["instances"] = doc["instances"] + [{"instanceId": k} for k in range(100_000)]
    doc["disks"] = [{"diskId": None, "junk": k} for k in range(100_000)]
    doc["images"][0] = {**doc["images"][0], "sharedWith": list(range(100_000))}
    with pytest.raises(ValidationError) as caught:
        WorldSnapshot.model_validate(doc)
    assert caught.value.error_count() <= 3 * len(WorldSnapshot.model_fields), caught.value.error_count()
    with pytest.raises(SnapshotError) as refused:
        world_from_dict(doc, World)
    assert refused.value.path.startswith(("images[0].sharedWith[0]", "disks[0]", "instances["))


def test_of_several_malformed_entries_the_first_is_named(world: World) -> None:
    _, world = instance(world)
    _, world = instance(world)
    data = world.to_dict()
    data["instances"][0]["instanceName"] = 5  # the first field of an instance
    data["instances"][0]["status"] = 7  # a later one
    data["instances"][1]["instanceName"] = 6
    with pytest.raises(SnapshotError) as caught:
        World.from_dict(data)
    assert caught.value.path == "instances[0].instanceName"
    with pytest.raises(SnapshotError) as from_text:
        World.from_json(json.dumps(data))
    assert from_text.value.path == "instances[0].instanceName"
