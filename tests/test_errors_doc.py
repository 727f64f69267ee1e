"""What docs/errors.md states beyond the rule tables, checked against the engine: the order of one rule's
findings across list items, field paths counting from 0 whatever the transport, the clientToken short-circuit
and the unknown-field policy."""

from __future__ import annotations

from typing import Any

from vmrules import World, check, execute
from vmrules.server.wire import unflatten

NORTH = "cn-north-1"
SPEC: dict[str, Any] = {
    "name": "web", "az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": "img-centos7cld",
    "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
    "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd"}},
}


def disk(size: int) -> dict[str, Any]:
    return {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": size}}


def test_one_rule_reports_list_items_in_request_order() -> None:
    params = {"regionId": NORTH, "instanceSpec": {**SPEC, "dataDisks": [disk(100), disk(15), disk(2000)]}}
    found = check(World.default(), "createInstances", params)
    assert [(e.rule, e.field) for e in found] == [
        ("CREATE_INSTANCES.DATA_DISK_SIZE_SSD", "instanceSpec.dataDisks.1.cloudDiskSpec.diskSizeGB"),
        ("CREATE_INSTANCES.DATA_DISK_SIZE_SSD", "instanceSpec.dataDisks.2.cloudDiskSpec.diskSizeGB"),
    ]
    assert execute(World.default(), "createInstances", params).error == found[0]


def test_paths_count_from_0_even_for_a_query_counting_from_1() -> None:
    query = [("regionId", NORTH), ("filters.1.name", "status"), ("filters.1.values.1", "running"),
             ("filters.2.name", "bogus"), ("filters.2.values.1", "x")]
    error = execute(World.default(), "describeInstances", unflatten(query)).error
    assert error is not None and error.field is not None and error.field.startswith("filters.1")


def test_client_token_replay_skips_operation_rules_but_not_request_rules() -> None:
    first = execute(World.default(), "createInstances", {"regionId": NORTH, "instanceSpec": SPEC, "clientToken": "t"})
    world = first.world
    changed = {**SPEC, "instanceType": "no.such.type"}  # would be refused as a new request
    replay = execute(world, "createInstances", {"regionId": NORTH, "instanceSpec": changed, "clientToken": "t"})
    assert replay.ok and replay.result == first.result and replay.world is world
    malformed = execute(world, "createInstances", {"regionId": NORTH, "instanceSpec": {**SPEC, "name": 5},
                                                   "clientToken": "t"})
    assert malformed.error is not None and malformed.error.rule == "REQUEST.TYPE"
    stranger = execute(world, "createInstances", {"regionId": NORTH, "instanceSpec": SPEC, "clientToken": "t"},
                       caller="nobody")
    assert stranger.error is not None and stranger.error.rule == "REQUEST.UNKNOWN_CALLER"


def test_unknown_fields_are_ignored_by_default() -> None:
    params = {"regionId": NORTH, "instanceSpec": {**SPEC, "futureField": 1}, "alsoUnknown": {"x": 1}}
    out = execute(World.default(), "createInstances", params)
    assert out.ok and out.result == execute(World.default(), "createInstances",
                                            {"regionId": NORTH, "instanceSpec": SPEC}).result
