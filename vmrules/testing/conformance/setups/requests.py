"""Setups for the request-shape rules no mutation of a well-formed request reaches: an unknown operation,
parameters that are not an object, parameters nested deeper than a JSON document may be.

Each setup sends its breaking request itself (on a POST operation, so that an HTTP system can carry a deep
body); a system whose adapter cannot carry it (``carries``) is not sent it and the rule is not counted as
fired. REQUEST.UNKNOWN_FIELD has no setup: the reference refuses unknown names only in strict mode, and the API
itself ignores them (docs/decisions/conformance.md).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from vmrules.defaults import NORTH
from vmrules.engine import check
from vmrules.testing.conformance.divergence import Divergence
from vmrules.testing.conformance.lockstep import Lockstep
from vmrules.testing.conformance.settings import JSON
from vmrules.testing.conformance.setups.base import Registry
from vmrules.testing.strategies.common import UNKNOWN_ID

registry = Registry()

UNKNOWN_OPERATION = "describeEverything"  # not one of the API's operations
_TARGET = "stopInstance"  # a POST operation; aimed at an instance that does not exist, so that nothing changes
_MAX_DEPTH = 256  # deeper than any limit a JSON reader keeps


def _missing_instance() -> JSON:
    return {"regionId": NORTH, "instanceId": "i-" + UNKNOWN_ID}


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    return value


@registry.setup_for("REQUEST.UNKNOWN_OPERATION")
def unknown_operation(lock: Lockstep, data: st.DataObject, caller: str,
                      rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """An operation the API does not have."""
    return [], lock.request(UNKNOWN_OPERATION, {"regionId": NORTH}, caller)


@registry.setup_for("REQUEST.NOT_AN_OBJECT")
def not_an_object(lock: Lockstep, data: st.DataObject, caller: str,
                  rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """Parameters given as a list of names and values instead of an object."""
    return [], lock.request(_TARGET, ["regionId", NORTH], caller)  # type: ignore[arg-type]


@registry.setup_for("REQUEST.UNREADABLE")
def nested_too_deep(lock: Lockstep, data: st.DataObject, caller: str,
                    rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """A parameter nested one level deeper than the reference reads, then one exactly as deep (the depth is
    found by bisection on the reference's own check, not typed here)."""
    def refused(depth: int) -> bool:
        found = check(lock.model, _TARGET, {**_missing_instance(), "extra": _nested(depth)}, caller=caller)
        return bool(found) and found[0].rule == rule_id

    if not refused(_MAX_DEPTH):
        return [], None
    low, high = 0, _MAX_DEPTH  # low is read, high is refused
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if refused(mid) else (mid, high)
    found = lock.request(_TARGET, {**_missing_instance(), "extra": _nested(high)}, caller)
    if found is None:
        found = lock.request(_TARGET, {**_missing_instance(), "extra": _nested(low)}, caller)
    return [], found
