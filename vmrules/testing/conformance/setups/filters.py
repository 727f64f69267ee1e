"""Setups for the list operations' FILTER_OPERATOR rules: a listing with a filter that names its operator.

The valid-request strategies draw filters without an operator (it defaults to eq), and the pair search does not
add fields inside list items; these bases carry ``operator: "eq"`` on every filter, which the search then
mutates to an operator the API does not have.
"""

from __future__ import annotations

from hypothesis import strategies as st

from vmrules.defaults import NORTH
from vmrules.testing.conformance.divergence import Divergence
from vmrules.testing.conformance.lockstep import Lockstep
from vmrules.testing.conformance.settings import JSON
from vmrules.testing.conformance.setups.base import Registry
from vmrules.testing.strategies import valid_requests

registry = Registry()

# rule id -> (operation, a filter the operation has, for a drawn request without filters)
_LISTINGS: dict[str, tuple[str, JSON]] = {
    "DESCRIBE_INSTANCES.FILTER_OPERATOR": ("describeInstances", {"name": "status", "values": ["running"]}),
    "DESCRIBE_INSTANCE_STATUS.FILTER_OPERATOR": ("describeInstanceStatus", {"name": "status",
                                                                            "values": ["running"]}),
    "DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS.FILTER_OPERATOR": ("describeInstancePrivateIpAddress",
                                                             {"name": "status", "values": ["running"]}),
    "DESCRIBE_INSTANCE_TYPES.FILTER_OPERATOR": ("describeInstanceTypes", {"name": "az",
                                                                          "values": ["cn-north-1a"]}),
    "DESCRIBE_QUOTAS.FILTER_OPERATOR": ("describeQuotas", {"name": "resourceTypes", "values": ["instance"]}),
}


@registry.setup_for(*_LISTINGS)
def filter_with_operator(lock: Lockstep, data: st.DataObject, caller: str,
                         rule_id: str) -> tuple[list[JSON], Divergence | None]:
    """A drawn listing request whose filters all say ``operator: "eq"`` (one filter added when it has none)."""
    operation, fallback = _LISTINGS[rule_id]
    params = dict(data.draw(valid_requests(lock.model, operation, caller=caller), label="listing"))
    filters = params.get("filters")
    if not isinstance(filters, list) or not filters:
        filters = [fallback]
    params["filters"] = [{**f, "operator": "eq"} if isinstance(f, dict) else f for f in filters]
    return [params, {"regionId": NORTH, "filters": [{**fallback, "operator": "eq"}]}], None
