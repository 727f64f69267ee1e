"""Shared helpers for example tests: run an operation with wire params and assert outcomes."""

from __future__ import annotations

from typing import Any

from vmrules import Outcome, World, execute, settle
from vmrules.builders import add_instance

NORTH = "cn-north-1"


def run(world: World, operation: str, caller: str | None = None, **params: Any) -> Outcome:
    """``execute`` with ``regionId`` defaulting to cn-north-1."""
    params.setdefault("regionId", NORTH)
    return execute(world, operation, params, caller=caller)


def ok(outcome: Outcome) -> World:
    """Assert success and return the new world."""
    assert outcome.error is None, outcome.error
    return outcome.world


def refused(outcome: Outcome, rule: str, status: str) -> None:
    """Assert the outcome is the given rule's error and the world is unchanged."""
    assert outcome.error is not None, f"expected {rule}, but the request succeeded"
    assert (outcome.error.rule, outcome.error.status) == (rule, status), outcome.error
    assert outcome.result == {}


def instance(world: World, **kwargs: Any) -> tuple[str, World]:
    """A settled instance built directly into the world (see vmrules.builders.add_instance)."""
    instance_id, world = add_instance(world, **kwargs)
    return instance_id, settle(world)
