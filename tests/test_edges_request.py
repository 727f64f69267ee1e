"""Edges of the request rules that tests/test_request_rules.py leaves open: missing and mistyped parameters
reported together, the "(got null)" wording, and the 60-character cut of a shown value."""

from __future__ import annotations

import pytest

from vmrules import World, check, execute


@pytest.mark.rule("REQUEST.REQUIRED")
@pytest.mark.rule("REQUEST.TYPE")
def test_a_type_error_before_a_missing_parameter_hides_neither(world: World) -> None:
    errors = check(world, "stopInstance", {"regionId": 5})
    assert [(e.rule, e.field, e.message) for e in errors] == [
        ("REQUEST.REQUIRED", "instanceId", "instanceId is required"),
        ("REQUEST.TYPE", "regionId", "regionId: should be a string (got 5)")]


@pytest.mark.rule("REQUEST.REQUIRED")
def test_null_reads_as_missing_and_says_so(world: World) -> None:
    errors = check(world, "stopInstance", {"regionId": None, "instanceId": "i-nothere0001"})
    assert [(e.rule, e.field, e.message) for e in errors] == [
        ("REQUEST.REQUIRED", "regionId", "regionId is required (got null)")]


@pytest.mark.rule("REQUEST.UNKNOWN_OPERATION")
@pytest.mark.parametrize(("length", "shown"), [(58, "'" + "x" * 58 + "'"), (59, "'" + "x" * 56 + "...")])
def test_a_shown_value_is_cut_at_sixty_characters(world: World, length: int, shown: str) -> None:
    error = execute(world, "x" * length, {}).error
    assert error is not None and error.message == f"unknown operation {shown}; see vmrules.OPERATIONS"
