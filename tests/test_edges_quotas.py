"""Edges of describeQuotas that tests/test_quotas.py leaves open: the resource-type check looks at every
resourceTypes filter, past filters of another name."""

from __future__ import annotations

import pytest
from helpers import NORTH

from vmrules import World, check


@pytest.mark.rule("DESCRIBE_QUOTAS.RESOURCE_TYPE")
def test_resource_types_are_checked_after_a_filter_of_another_name(world: World) -> None:
    other = {"name": "other", "values": ["x"]}

    def rules(*filters: dict[str, object]) -> list[str]:
        return [e.rule for e in check(world, "describeQuotas", {"regionId": NORTH, "filters": list(filters)})]

    assert rules(other, {"name": "resourceTypes", "values": ["bogus"]}) == [
        "DESCRIBE_QUOTAS.FILTER_NAME", "DESCRIBE_QUOTAS.RESOURCE_TYPE"]
    assert rules(other, {"name": "resourceTypes", "values": ["instance"]}) == ["DESCRIBE_QUOTAS.FILTER_NAME"]
