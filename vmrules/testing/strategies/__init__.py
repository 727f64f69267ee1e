"""Hypothesis strategies for worlds and requests: the public test kit of vmrules.

* ``worlds()`` — the default world plus generated resources (instances in every status and billing state,
  free and attached disks, interfaces, elastic IPs, private and shared images), optionally with tasks in
  progress. Every generated world satisfies ``vmrules.testing.invariants.check_invariants``.
* ``valid_requests(world, operation)`` — wire parameters for one operation that should succeed against
  ``world``: ids are drawn from what the caller owns and can use, values from inside the rules' ranges. When
  the world offers nothing suitable (no stopped instance for ``startInstance``) the request names the best
  candidate there is and may be refused.
* ``invalid_requests(world, operation)`` — ``(params, rule_id)`` pairs: each request breaks exactly one
  named rule, which is the rule ``execute`` must report.
* ``json_like()`` — arbitrary JSON-like values (deep nesting, huge strings, unicode, odd numbers) for
  totality tests; ``arbitrary_params(operation)`` mixes them into request shapes.
* ``requests_for(operation)`` and ``st.from_type(<request model>)`` — parsed request models (the strategies
  are registered with ``st.register_type_strategy`` for every implemented operation's request model).

Usage (see docs/testing.md)::

    from hypothesis import given, strategies as st
    from vmrules import execute
    from vmrules.testing.strategies import valid_requests, worlds

    @given(st.data())
    def test_stop(data):
        world = data.draw(worlds())
        params = data.draw(valid_requests(world, "stopInstance"))
        outcome = execute(world, "stopInstance", params)

The package, by responsibility: ``common`` (constants, lookups of what a caller owns), ``texts`` (names,
passwords), ``arbitrary`` (JSON-like values), ``worlds``, ``valid`` (valid requests), ``invalid`` (the
registry and the generic invalid requests), ``invalid_targeted`` (operation-specific ones), ``models``
(parsed request models, registered with hypothesis on import), ``rule_directed``
(for one catalogue rule, a request that breaks it and its neighbour on the allowed side).
"""

from vmrules.testing.strategies import invalid_targeted as _invalid_targeted  # noqa: F401 - fills the registry
from vmrules.testing.strategies.arbitrary import arbitrary_params, json_like
from vmrules.testing.strategies.common import (
    DATA_DISK_MAX,
    DATA_DISK_TYPES,
    DEVICE_NAMES,
    OTHER_REGIONS,
    QUOTA_TYPES,
    UNKNOWN_ID,
    Draw,
    Params,
    callers,
    operations,
)
from vmrules.testing.strategies.invalid import Invalid, invalid_makers, invalid_requests, targeted_rules
from vmrules.testing.strategies.models import requests_for
from vmrules.testing.strategies.rule_directed import (
    DirectedPair,
    directed_pair,
    directed_pairs,
    rule_directed_requests,
)
from vmrules.testing.strategies.texts import descriptions, names, valid_passwords
from vmrules.testing.strategies.valid import valid_requests
from vmrules.testing.strategies.worlds import worlds

__all__ = [
    "DATA_DISK_MAX",
    "DATA_DISK_TYPES",
    "DEVICE_NAMES",
    "OTHER_REGIONS",
    "QUOTA_TYPES",
    "UNKNOWN_ID",
    "DirectedPair",
    "Draw",
    "Invalid",
    "Params",
    "arbitrary_params",
    "callers",
    "descriptions",
    "directed_pair",
    "directed_pairs",
    "invalid_makers",
    "invalid_requests",
    "json_like",
    "names",
    "operations",
    "requests_for",
    "rule_directed_requests",
    "targeted_rules",
    "valid_passwords",
    "valid_requests",
    "worlds",
]
