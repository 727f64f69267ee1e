"""describeInstanceTypes: the region's catalogue, filters, per-AZ stock state."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import refused, run

from vmrules import World


def types(out: Any) -> dict[str, Any]:
    assert out.error is None, out.error
    assert out.result["totalCount"] == len(out.result["instanceTypes"])
    assert out.result["specificInstanceTypes"] == []
    return {t["instanceType"]: t for t in out.result["instanceTypes"]}


def test_catalogue_of_the_region(world: World) -> None:
    listed = types(run(world, "describeInstanceTypes"))
    assert set(listed) == set(world.instance_types)
    medium = listed["g.n2.medium"]
    assert (medium["cpu"], medium["memoryMB"], medium["nicLimit"], medium["family"]) == (2, 8192, 2, "g.n2")
    assert [s["az"] for s in medium["state"]] == ["cn-north-1a", "cn-north-1b", "cn-north-1c"]
    east = types(run(world, "describeInstanceTypes", regionId="cn-east-2"))
    assert [s["az"] for s in east["g.n2.medium"]["state"]] == ["cn-east-2a", "cn-east-2b", "cn-east-2c"]


def test_stock_state_per_az(world: World) -> None:
    listed = types(run(world, "describeInstanceTypes"))
    state = {s["az"]: s["inStock"] for s in listed["g.n2.4xlarge"]["state"]}
    assert state == {"cn-north-1a": False, "cn-north-1b": True, "cn-north-1c": True}
    assert not any(s["inStock"] for s in listed["g.n1.small"]["state"])  # offline: sold nowhere
    assert listed["p.n2.2xlarge"]["gpu"] == {"model": "Tesla P40", "number": 1}
    assert listed["s.n2.xlarge"]["localDisks"] == [{"diskType": "NVMe SSD", "diskSizeGB": 1788}]


def test_filters(world: World) -> None:
    some = types(run(world, "describeInstanceTypes",
                     filters=[{"name": "instanceTypes", "values": ["g.n2.medium", "c.n2.large", "x.none"]}]))
    assert set(some) == {"g.n2.medium", "c.n2.large"}
    in_1b = types(run(world, "describeInstanceTypes", filters=[{"name": "az", "values": ["cn-north-1b"]}]))
    assert all([s["az"] for s in t["state"]] == ["cn-north-1b"] for t in in_1b.values())
    assert types(run(world, "describeInstanceTypes", filters=[{"name": "az", "values": ["cn-east-2a"]}])) == {}
    assert len(types(run(world, "describeInstanceTypes",
                         filters=[{"name": "architecture", "values": ["x86_64"]}]))) == len(world.instance_types)
    assert types(run(world, "describeInstanceTypes", filters=[{"name": "architecture", "values": ["arm64"]}])) == {}


@pytest.mark.rule("DESCRIBE_INSTANCE_TYPES.FILTER_NAME")
def test_unknown_filter(world: World) -> None:
    out = run(world, "describeInstanceTypes", filters=[{"name": "az", "values": ["cn-north-1a"]},
                                                        {"name": "cpu", "values": ["2"]}])
    refused(out, "DESCRIBE_INSTANCE_TYPES.FILTER_NAME", "INVALID_ARGUMENT")
    assert out.error is not None and out.error.field == "filters.1.name"
    types(run(world, "describeInstanceTypes", filters=[{"name": "az", "values": ["cn-north-1a"]}]))


@pytest.mark.rule("DESCRIBE_INSTANCE_TYPES.FILTER_OPERATOR")
def test_filter_operator(world: World) -> None:
    refused(run(world, "describeInstanceTypes", filters=[{"name": "az", "operator": "like", "values": ["x"]}]),
            "DESCRIBE_INSTANCE_TYPES.FILTER_OPERATOR", "INVALID_ARGUMENT")
    types(run(world, "describeInstanceTypes", filters=[{"name": "az", "operator": "eq", "values": ["x"]}]))


@pytest.mark.rule("DESCRIBE_INSTANCE_TYPES.FILTER_VALUES")
def test_filter_values(world: World) -> None:
    refused(run(world, "describeInstanceTypes", filters=[{"name": "az", "values": []}]),
            "DESCRIBE_INSTANCE_TYPES.FILTER_VALUES", "INVALID_ARGUMENT")
    refused(run(world, "describeInstanceTypes", filters=[{"name": "architecture", "values": ["x86_64", "arm64"]}]),
            "DESCRIBE_INSTANCE_TYPES.FILTER_VALUES", "INVALID_ARGUMENT")
    types(run(world, "describeInstanceTypes", filters=[{"name": "az", "values": ["cn-north-1a", "cn-north-1b"]}]))


@pytest.mark.rule("DESCRIBE_INSTANCE_TYPES.SERVICE_NAME")
def test_service_name(world: World) -> None:
    refused(run(world, "describeInstanceTypes", serviceName="ecs"), "DESCRIBE_INSTANCE_TYPES.SERVICE_NAME",
            "INVALID_ARGUMENT")
    assert len(types(run(world, "describeInstanceTypes", serviceName="vm"))) == len(world.instance_types)
    assert types(run(world, "describeInstanceTypes", serviceName="nc")) == {}
