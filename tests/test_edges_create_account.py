"""Edges of createInstances' account, AZ, type, image and quota rules (operations/create/rules_account.py) that
tests/test_create_instances.py leaves open: an AZ outside the region is reported by AZ_EXISTS alone, not also
as a sold-out type."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import NORTH

from vmrules import World, check
from vmrules.catalogue import rules_for


def spec(az: str) -> dict[str, Any]:
    return {"regionId": NORTH, "instanceSpec": {
        "name": "web", "az": az, "instanceType": "g.n2.medium", "imageId": "img-centos7cld",
        "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
        "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}}}}


@pytest.mark.rule("CREATE_INSTANCES.TYPE_SOLD_OUT")
@pytest.mark.rule("CREATE_INSTANCES.AZ_EXISTS")
def test_an_az_outside_the_region_is_no_sold_out_type(world: World) -> None:
    assert [e.rule for e in check(world, "createInstances", spec("cn-north-1z"))] == ["CREATE_INSTANCES.AZ_EXISTS"]
    assert [e.rule for e in check(world, "createInstances", spec("cn-east-2a"))] == ["CREATE_INSTANCES.AZ_EXISTS"]
    assert check(world, "createInstances", spec("cn-north-1a")) == []
    sold_out = {**spec("cn-north-1a")}
    sold_out["instanceSpec"] = {**sold_out["instanceSpec"], "instanceType": "g.n2.4xlarge"}
    assert [e.rule for e in check(world, "createInstances", sold_out)] == ["CREATE_INSTANCES.TYPE_SOLD_OUT"]


@pytest.mark.rule("CREATE_INSTANCES.QUOTA_CPU")
@pytest.mark.rule("CREATE_INSTANCES.QUOTA_MEMORY")
def test_check_with_an_unknown_type_skips_the_quota_rules(world: World) -> None:
    params = spec("cn-north-1a")
    params["instanceSpec"] = {**params["instanceSpec"], "instanceType": "g.n9.nothere"}
    assert [e.rule for e in check(world, "createInstances", params)] == ["CREATE_INSTANCES.TYPE_EXISTS"]


@pytest.mark.rule("CREATE_INSTANCES.QUOTA_INSTANCE")
def test_only_the_instance_quota_cites_the_seed_s_best_effort_sentence() -> None:
    by_id = {r.id: r for r in rules_for("createInstances")}
    instance = by_id["CREATE_INSTANCES.QUOTA_INSTANCE"].source
    assert (instance.kind, instance.quote) == ("seed", "maxCount为最大努力，不保证一定能达到maxCount")
    for rule_id in ("CREATE_INSTANCES.QUOTA_CPU", "CREATE_INSTANCES.QUOTA_MEMORY"):
        assert by_id[rule_id].source.kind == "inferred"
