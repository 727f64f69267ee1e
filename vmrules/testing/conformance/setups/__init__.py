"""Per-rule setups (``base.Setup``): every setups module's registry merged into ``SETUPS``, rule id -> setup.

A new setups module defines ``registry = Registry()``, decorates its setups with ``@registry.setup_for(...)``
and is listed in ``_MODULES`` below; two setups for one rule are refused at import. ``LATE`` is the rules
the sweep aims at last, in this order (``Registry.late``).
"""

from __future__ import annotations

from vmrules.testing.conformance.setups import billing, instances, quotas, tasks
from vmrules.testing.conformance.setups.base import Registry, Setup


def _merged(*registries: Registry) -> dict[str, Setup]:
    merged: dict[str, Setup] = {}
    for registry in registries:
        twice = merged.keys() & registry.keys()
        if twice:
            raise ValueError(f"two setups for {sorted(twice)}")
        merged.update(registry)
    return merged


_MODULES = (tasks, instances, billing, quotas)  # late rules in this order
SETUPS: dict[str, Setup] = _merged(*(module.registry for module in _MODULES))
LATE: tuple[str, ...] = tuple(r for module in _MODULES for r in module.registry.late)

__all__ = ["LATE", "SETUPS", "Registry", "Setup"]
