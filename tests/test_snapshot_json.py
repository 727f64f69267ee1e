"""Snapshots as JSON text (``World.to_json`` / ``World.from_json``): the same text as ``json.dumps`` of
``to_dict``, the same worlds read back, and the same errors at the same paths as ``World.from_dict``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from helpers import instance
from test_snapshot import MALFORMED, busy_world

from vmrules import World
from vmrules.builders import DataDiskPlan
from vmrules.snapshot import SnapshotError, writing


def test_to_json_is_the_compact_text_of_to_dict(world: World) -> None:
    for w in (World.default(), busy_world(world)[0]):
        assert w.to_json() == json.dumps(w.to_dict(), ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("entries_per_slice", [1, 2, 3, 1000])
def test_to_json_written_a_slice_at_a_time_is_the_same_text(world: World, entries_per_slice: int,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # world_to_json makes and writes each collection a slice of entries at a time: a slice of one, slices that
    # divide a collection evenly or leave a rest, one slice for all, and empty collections, all read the same.
    monkeypatch.setattr(writing._Stream, "SLICE", entries_per_slice)
    for w in (World(), World.default(), busy_world(world)[0]):
        assert w.to_json() == json.dumps(w.to_dict(), ensure_ascii=False, separators=(",", ":"))


def test_from_json_reads_what_from_dict_reads(world: World) -> None:
    busy, _ = busy_world(world)
    for w in (World(), World.default(), busy):
        text = w.to_json()
        assert World.from_json(text) == w == World.from_dict(json.loads(text))
        assert World.from_json(text.encode()) == w


def test_non_ascii_text_round_trips(world: World) -> None:
    iid, world = instance(world, name="网站-服务器")
    text = world.to_json()
    assert "网站-服务器" in text
    assert World.from_json(text).instances[iid].name == "网站-服务器"


@pytest.mark.parametrize(("mutate", "path"), [m[1:3] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_text_fails_at_the_same_path(world: World, mutate: Any, path: str) -> None:
    iid, world = instance(world, data_disks=[DataDiskPlan("ssd", 50)])
    data = world.to_dict()
    data["instances"].sort(key=lambda i: i["instanceId"] != iid)
    mutate(data)
    with pytest.raises(SnapshotError) as from_text:
        World.from_json(json.dumps(data))
    with pytest.raises(SnapshotError) as from_dict:
        World.from_dict(data)
    assert from_text.value.path == from_dict.value.path == path


def _entry(collection: str, value: Any) -> Any:
    return lambda data: data[collection].__setitem__(0, value)


def _member(collection: str, name: str, value: Any = None, *, drop: bool = False) -> Any:
    def mutate(data: dict[str, Any]) -> None:
        if drop:
            del data[collection][0][name]
        else:
            data[collection][0][name] = value
    return mutate


# The entities' shapes are pydantic dataclasses, whose own errors speak of keyword arguments and, for Python
# values, of dictionaries and lists: both readers word them for a document, alike.
@pytest.mark.parametrize(("mutate", "expected"), [
    (_entry("vpcs", 1), "vpcs[0]: Input should be an object (got 1)"),
    (_entry("vpcs", None), "vpcs[0]: Input should be an object (got None)"),
    (_member("vpcs", "vpcId", drop=True), "vpcs[0].vpcId: Field required"),
    (_member("vpcs", "colour", "red"), "vpcs[0].colour: Extra inputs are not permitted (got 'red')"),
    (_member("disks", "charge", "x"), "disks[0].charge: Input should be an object (got 'x')"),
    (lambda data: data.__setitem__("subnets", {}), "subnets: Input should be a valid array (got {})"),
    (lambda data: data.__setitem__("regions", [1]), "regions[0]: Input should be an object (got 1)"),
], ids=["entry-number", "entry-null", "member-missing", "member-unknown", "nested-not-object", "not-a-list",
        "region-not-object"])
def test_shape_errors_are_worded_for_a_document(mutate: Any, expected: str) -> None:
    data = World.default().to_dict()
    mutate(data)
    with pytest.raises(SnapshotError) as caught:
        World.from_dict(data)
    assert str(caught.value) == expected
    with pytest.raises(SnapshotError) as caught:
        World.from_json(json.dumps(data))
    assert str(caught.value) == expected


@pytest.mark.parametrize(("text", "problem"), [
    ("[1, 2]", "a snapshot is a JSON object, got list"),
    ('"world"', "a snapshot is a JSON object, got str"),
    ("{", "not JSON"),
    ("", "not JSON"),
    ('{"instances": [}', "not JSON"),
])
def test_text_that_is_not_a_snapshot_object(text: str, problem: str) -> None:
    with pytest.raises(SnapshotError) as caught:
        World.from_json(text)
    assert caught.value.path == ""
    assert problem in caught.value.problem


# The writer spells out the large collections member by member instead of rendering the describe views and
# overwriting their nested copies (vmrules/snapshot/writing.py): these pin it to the views.
_REPLACED = {"systemDisk", "dataDisks", "primaryNetworkInterface", "secondaryNetworkInterfaces", "charge"}


def _without_charge_status(charge: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if charge is None else {k: v for k, v in charge.items() if k != "chargeStatus"}


def test_snapshot_members_are_the_views_members(world: World) -> None:
    from vmrules.views import disk_view, elastic_ip_view, instance_view, network_interface_view

    busy, _ = busy_world(world)
    busy = busy.evolve(clock=busy.clock + 7200)  # the prepaid instance is past its expiry: views say overdue
    doc = busy.to_dict()
    for entry in doc["instances"]:
        inst = busy.instances[entry["instanceId"]]
        view = instance_view(busy, inst)
        assert list(entry)[:len(view)] == list(view)
        assert {k: v for k, v in entry.items() if k in view and k not in _REPLACED} == \
            {k: v for k, v in view.items() if k not in _REPLACED}
        assert _without_charge_status(entry["charge"]) == _without_charge_status(view["charge"])
        assert entry["charge"] is None or entry["charge"]["chargeStatus"] == inst.charge.status  # type: ignore[union-attr]
    for entry in doc["disks"]:
        view = disk_view(busy, busy.disks[entry["diskId"]])
        assert list(entry)[:len(view)] == list(view)
        assert {k: v for k, v in entry.items() if k in view and k != "charge"} == \
            {k: v for k, v in view.items() if k != "charge"}
    for entry in doc["networkInterfaces"]:
        nic = busy.network_interfaces[entry["networkInterfaceId"]]
        view = network_interface_view(busy, nic)
        assert list(entry)[:len(view)] == list(view)
        assert entry["primaryIp"]["elasticIpId"] == (nic.elastic_ip_id or "")
        assert {k: v for k, v in entry.items() if k in view and k != "primaryIp"} == \
            {k: v for k, v in view.items() if k != "primaryIp"}
    for entry in doc["elasticIps"]:
        view = elastic_ip_view(busy, busy.elastic_ips[entry["elasticIpId"]])
        assert list(entry)[:len(view)] == list(view)
        assert {k: v for k, v in entry.items() if k in view and k != "charge"} == \
            {k: v for k, v in view.items() if k != "charge"}
