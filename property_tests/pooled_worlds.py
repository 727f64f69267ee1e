"""Worlds for the per-operation properties: a pool generated once per process under the ``ci`` profile.

The per-operation properties (purity, check/execute agreement, invalid requests, kit shares, totality with a
replaced field) draw a world for every example of every one of the 35 operations. Generating a world costs
about 40 ms of hypothesis draws, which made world generation most of the property suite's time. Under the
derandomized ``ci`` profile those draws were the same fixed worlds on every run anyway, so ``ci`` now draws
from a pool of ``POOL_SIZE`` worlds made once per process by the same ``worlds()`` strategy (derandomized,
so the pool is the same on every machine); the requests, callers and modes are still drawn per example.
Under ``thorough`` every example gets a freshly generated world, as before.
"""

from __future__ import annotations

import functools
import os

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from vmrules.testing.strategies import worlds
from vmrules.world import World

POOL_SIZE = 40


def _pooled() -> bool:
    return os.environ.get("VMRULES_HYPOTHESIS_PROFILE", "ci") == "ci"


@functools.cache
def _pool(max_instances: int) -> tuple[World, ...]:
    made: list[World] = []

    @settings(max_examples=POOL_SIZE, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(world=worlds(max_instances=max_instances))
    def collect(world: World) -> None:
        made.append(world)

    collect()
    return tuple(made)


def operation_worlds(max_instances: int = 6) -> st.SearchStrategy[World]:
    """``worlds(max_instances=...)``: from the process's pool under ``ci``, freshly generated otherwise.

    Call it at module level: the pool is made by a hypothesis run of its own, which must not nest inside a
    test's (hypothesis refuses nested ``@given``)."""
    if not _pooled():
        return worlds(max_instances=max_instances)
    return st.sampled_from(_pool(max_instances))
