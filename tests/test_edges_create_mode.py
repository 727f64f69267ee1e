"""Edges of createInstances' mode rules (operations/create/rules_mode.py) that tests/test_create_instances.py
leaves open: a cloud system disk's diskType missing with or without a cloudDiskSpec, and which fields of the
primary interface an availability-group request may give."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import NORTH

from vmrules import World, check

S = "instanceSpec"
NIC = f"{S}.primaryNetworkInterface.networkInterface"


def normal(system_disk: dict[str, Any]) -> dict[str, Any]:
    return {"regionId": NORTH, "instanceSpec": {
        "name": "web", "az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": "img-centos7cld",
        "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
        "systemDisk": system_disk}}


def from_ag(primary: dict[str, Any]) -> dict[str, Any]:
    return {"regionId": NORTH, "instanceSpec": {"name": "web", "agId": "ag-web00000001",
                                                  "primaryNetworkInterface": primary}}


def fields(world: World, params: dict[str, Any], rule_id: str) -> list[str | None]:
    return [e.field for e in check(world, "createInstances", params) if e.rule == rule_id]


@pytest.mark.rule("CREATE_INSTANCES.NORMAL_REQUIRED")
@pytest.mark.parametrize("system_disk", [
    {"diskCategory": "cloud"}, {"diskCategory": "cloud", "cloudDiskSpec": {"diskSizeGB": 40}},
])
def test_a_cloud_system_disk_needs_its_disk_type(world: World, system_disk: dict[str, Any]) -> None:
    assert fields(world, normal(system_disk), "CREATE_INSTANCES.NORMAL_REQUIRED") == [
        f"{S}.systemDisk.cloudDiskSpec.diskType"]
    typed = {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}}
    assert check(world, "createInstances", normal(typed)) == []


@pytest.mark.rule("CREATE_INSTANCES.AG_NO_OVERRIDE")
@pytest.mark.parametrize(("primary", "overridden"), [
    ({"networkInterface": {"primaryIpAddress": "10.0.1.100"}}, []),
    ({"deviceIndex": 1, "networkInterface": {"primaryIpAddress": "10.0.1.100"}},
     [f"{S}.primaryNetworkInterface.deviceIndex"]),
    ({"autoDelete": True}, [f"{S}.primaryNetworkInterface.autoDelete"]),
    ({"networkInterface": {"subnetId": "subnet-main00001a", "primaryIpAddress": "10.0.1.100"}},
     [f"{NIC}.subnetId"]),
])
def test_an_availability_group_request_gives_only_the_primary_ip(world: World, primary: dict[str, Any],
                                                                  overridden: list[str]) -> None:
    assert fields(world, from_ag(primary), "CREATE_INSTANCES.AG_NO_OVERRIDE") == overridden


@pytest.mark.rule("CREATE_INSTANCES.NORMAL_REQUIRED")
@pytest.mark.parametrize("missing", ["az", "imageId", "instanceType", "systemDisk"])
def test_a_normal_request_names_exactly_the_field_it_lacks(world: World, missing: str) -> None:
    params = normal({"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}})
    assert fields(world, params, "CREATE_INSTANCES.NORMAL_REQUIRED") == []
    del params["instanceSpec"][missing]
    assert fields(world, params, "CREATE_INSTANCES.NORMAL_REQUIRED") == [f"{S}.{missing}"]
