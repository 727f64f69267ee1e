"""Parsed request models: requests_for(operation) and the st.register_type_strategy registrations."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from vmrules.operations import OPERATION_TABLE
from vmrules.testing.strategies.valid import valid_requests
from vmrules.testing.strategies.worlds import worlds
from vmrules.world import World

# ==== request models ===================================================================================


def requests_for(operation: str, world: World | None = None) -> st.SearchStrategy[Any]:
    """Parsed request models of ``operation`` built from ``valid_requests`` against ``world`` (default: a
    drawn ``worlds()``). This is the strategy registered for the operation's request model, so
    ``st.from_type(StopInstanceRequest)`` gives realistic, well-formed requests."""
    op = OPERATION_TABLE[operation]
    source = valid_requests(world, operation) if world is not None else \
        worlds(max_instances=3).flatmap(lambda w: valid_requests(w, operation))
    return source.map(op.parse).filter(lambda parsed: not isinstance(parsed, list))


def _register_request_models() -> None:
    for name, op in sorted(OPERATION_TABLE.items()):
        st.register_type_strategy(op.request, requests_for(name))


_register_request_models()
