"""Issue 2's end-to-end scenario, through ``execute`` with wire JSON only: create two instances with a cloud
system disk and two data disks, run them through stop, start and delete, and look at them with the describe
operations on the way."""

from __future__ import annotations

import json
from typing import Any

from vmrules import World, execute, settle
from vmrules.usage import recount_usage

CREATE = json.loads("""
{
  "regionId": "cn-north-1",
  "maxCount": 2,
  "instanceSpec": {
    "az": "cn-north-1a",
    "instanceType": "g.n2.medium",
    "imageId": "img-centos7cld",
    "name": "web-[01]",
    "password": "Vm@Secret2468",
    "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
    "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 60}},
    "dataDisks": [
      {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 100}},
      {"diskCategory": "cloud", "autoDelete": false,
       "cloudDiskSpec": {"diskType": "premium-hdd", "diskSizeGB": 200}}
    ]
  }
}
""")


def call(world: World, operation: str, params: str) -> tuple[World, dict[str, Any]]:
    """One request as the wire carries it (a JSON text) and the response envelope, round-tripped through JSON."""
    out = execute(world, operation, json.loads(params))
    response = json.loads(json.dumps(out.to_response("req-1")))
    if "error" in response:
        assert out.world is world
    return out.world, response


def instance_params(iid: str) -> str:
    return json.dumps({"regionId": "cn-north-1", "instanceId": iid})


def test_issue_2_lifecycle() -> None:
    world = World.default()
    pin = world.default_account
    usage_before = [world.used(pin, "cn-north-1", t) for t in ("instance", "instance_cpu", "instance_memory")]

    # create 2 instances with a cloud system disk and 2 data disks
    world, response = call(world, "createInstances", json.dumps(CREATE))
    assert "error" not in response, response
    ids = response["result"]["instanceIds"]
    assert len(ids) == 2 and len(set(ids)) == 2
    world, response = call(world, "describeInstanceStatus", '{"regionId": "cn-north-1"}')
    assert {s["status"] for s in response["result"]["instanceStatuses"]} == {"pending"}

    # settle: describeInstances shows both running with their disks
    world = settle(world)
    world, response = call(world, "describeInstances", json.dumps({
        "regionId": "cn-north-1", "filters": [{"name": "instanceId", "values": ids}]}))
    listed = response["result"]["instances"]
    assert response["result"]["totalCount"] == 2
    assert [i["instanceId"] for i in listed] == ids
    assert [i["instanceName"] for i in listed] == ["web-01", "web-02"]
    disk_ids: dict[str, list[str]] = {}
    for shown in listed:
        assert shown["status"] == "running"
        assert shown["systemDisk"]["diskCategory"] == "cloud"
        assert shown["systemDisk"]["cloudDisk"]["diskSizeGB"] == 60
        data = shown["dataDisks"]
        assert [(d["cloudDisk"]["diskType"], d["cloudDisk"]["diskSizeGB"], d["autoDelete"]) for d in data] == [
            ("ssd", 100, True), ("premium-hdd", 200, False)]
        assert all(d["cloudDisk"]["status"] == "in-use" and d["cloudDisk"]["az"] == "cn-north-1a" for d in data)
        disk_ids[shown["instanceId"]] = [d["cloudDisk"]["diskId"] for d in data]
    first, second = ids

    # stop; a second stop while stopping is FAILED_PRECONDITION
    world, response = call(world, "stopInstance", instance_params(first))
    assert response == {"requestId": "req-1", "result": {}}
    world, response = call(world, "stopInstance", instance_params(first))
    assert response["error"]["status"] == "FAILED_PRECONDITION" and response["error"]["code"] == 400

    # settle: stopped
    world = settle(world)
    world, response = call(world, "describeInstance", instance_params(first))
    assert response["result"]["instance"]["status"] == "stopped"

    # start, settle: running
    world, response = call(world, "startInstance", instance_params(first))
    assert "error" not in response
    world = settle(world)
    world, response = call(world, "describeInstance", instance_params(first))
    assert response["result"]["instance"]["status"] == "running"

    # delete, settle: not found, and the autoDelete data disk is gone while the other one is kept
    world, response = call(world, "deleteInstance", instance_params(first))
    assert "error" not in response
    world, response = call(world, "describeInstance", instance_params(first))
    assert response["result"]["instance"]["status"] == "deleting"
    world = settle(world)
    world, response = call(world, "describeInstance", instance_params(first))
    assert response["error"]["status"] == "NOT_FOUND" and response["error"]["code"] == 404
    auto_disk, kept_disk = disk_ids[first]
    assert auto_disk not in world.disks
    assert world.disks[kept_disk].status == "available" and world.disks[kept_disk].attachments == ()

    # the other instance is untouched, and usage counts one instance fewer
    world, response = call(world, "describeInstances", '{"regionId": "cn-north-1"}')
    assert [i["instanceId"] for i in response["result"]["instances"]] == [second]
    assert all(d in world.disks for d in disk_ids[second])
    usage_after = [world.used(pin, "cn-north-1", t) for t in ("instance", "instance_cpu", "instance_memory")]
    assert usage_after == [usage_before[0] + 1, usage_before[1] + 2, usage_before[2] + 8]
    assert world.usage == recount_usage(world)
