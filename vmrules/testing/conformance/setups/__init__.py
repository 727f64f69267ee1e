"""Per-rule setups (``base.Setup``): every setups module's registry merged into ``SETUPS``, rule id -> setup
(and their teardowns into ``TEARDOWNS``).

A new setups module defines ``registry = Registry()``, decorates its setups with ``@registry.setup_for(...)``
and is listed in ``_MODULES`` below; two setups for one rule are refused at import. ``LATE`` is the rules
the sweep aims at last, in this order (``Registry.late``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vmrules.testing.conformance.setups import (
    attachments,
    billing,
    edge_states,
    filters,
    images,
    instances,
    quotas,
    requests,
    resize,
    statuses,
    tasks,
)
from vmrules.testing.conformance.setups.base import Registry, Setup, Teardown


def _merged(*registries: Mapping[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for registry in registries:
        twice = merged.keys() & registry.keys()
        if twice:
            raise ValueError(f"two setups or teardowns for {sorted(twice)}")
        merged.update(registry)
    return merged


# late rules: in this order
_MODULES = (tasks, statuses, attachments, filters, images, requests, resize, edge_states, instances, billing, quotas)
SETUPS: dict[str, Setup] = _merged(*(module.registry for module in _MODULES))
TEARDOWNS: dict[str, Teardown] = _merged(*(module.registry.teardowns for module in _MODULES))
LATE: tuple[str, ...] = tuple(r for module in _MODULES for r in module.registry.late)

__all__ = ["LATE", "SETUPS", "TEARDOWNS", "Registry", "Setup", "Teardown"]
