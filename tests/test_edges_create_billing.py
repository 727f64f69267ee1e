"""Edges of createInstances' billing rules (operations/create/rules_billing.py) that
tests/test_create_instances.py leaves open: the prepaid duration at both ends of each unit's range, the default
duration, and the message that names usage billing."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import NORTH, ok, refused

from vmrules import World, execute

IA = "INVALID_ARGUMENT"


def spec(charge: dict[str, Any]) -> dict[str, Any]:
    return {"regionId": NORTH, "instanceSpec": {
        "name": "web", "az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": "img-centos7cld",
        "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
        "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}},
        "charge": charge}}


def prepaid(unit: str | None, duration: int | None) -> dict[str, Any]:
    charge: dict[str, Any] = {"chargeMode": "prepaid_by_duration"}
    if unit is not None:
        charge["chargeUnit"] = unit
    if duration is not None:
        charge["chargeDuration"] = duration
    return charge


@pytest.mark.rule("CREATE_INSTANCES.CHARGE_DURATION")
@pytest.mark.parametrize(("unit", "duration", "accepted"), [
    ("month", 0, False), ("month", 1, True), ("month", 9, True), ("month", 10, False),
    ("year", 0, False), ("year", 1, True), ("year", 3, True), ("year", 4, False),
    (None, 9, True), (None, 10, False), (None, None, True), ("year", None, True),
])
def test_prepaid_duration_edges(world: World, unit: str | None, duration: int | None, accepted: bool) -> None:
    out = execute(world, "createInstances", spec(prepaid(unit, duration)))
    if accepted:
        ok(out)
    else:
        refused(out, "CREATE_INSTANCES.CHARGE_DURATION", IA)
        assert out.error is not None and out.error.field == "instanceSpec.charge.chargeDuration"
        top = 3 if unit == "year" else 9
        assert f"is {duration}; a {unit or 'month'}ly prepaid instance takes 1 to {top}" in out.error.message


@pytest.mark.rule("CREATE_INSTANCES.CHARGE_MODE")
def test_usage_billing_is_named_as_such(world: World) -> None:
    out = execute(world, "createInstances", spec({"chargeMode": "postpaid_by_usage"}))
    refused(out, "CREATE_INSTANCES.CHARGE_MODE", IA)
    assert out.error is not None and "cannot be billed by usage" in out.error.message
    out = execute(world, "createInstances", spec({"chargeMode": "by_the_hour"}))
    refused(out, "CREATE_INSTANCES.CHARGE_MODE", IA)
    assert out.error is not None and "'by_the_hour'; allowed prepaid_by_duration or postpaid_by_duration" in (
        out.error.message)


@pytest.mark.rule("CREATE_INSTANCES.CHARGE_DURATION")
@pytest.mark.parametrize("unit", ["", "Month", "day"])
def test_a_charge_unit_given_is_month_or_year_even_empty(world: World, unit: str) -> None:
    out = execute(world, "createInstances", spec(prepaid(unit, 1)))
    refused(out, "CREATE_INSTANCES.CHARGE_DURATION", IA)
    assert out.error is not None and out.error.field == "instanceSpec.charge.chargeUnit"
    assert f"chargeUnit is {unit!r}; allowed month or year" in out.error.message
