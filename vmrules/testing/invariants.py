"""World invariants for tests and users: ``check_invariants(world)`` lists every broken invariant as an English
sentence that starts with the path of the offending entry (``disks['vol-1'].attachments[1]: ...``); the list is
empty when the world is consistent.

The invariants themselves are the core's (``vmrules.consistency``, one definition): the snapshot loader
refuses a world that breaks one, and the property suite checks them after every step of a random walk over
all operations.
"""

from __future__ import annotations

from vmrules.consistency import (
    LIMITED_USAGE,
    MAX_DATA_DISKS_CLOUD,
    MAX_DATA_DISKS_LOCAL,
    MAX_IMAGE_SHARES,
    MAX_MULTI_ATTACH,
    MAX_SECURITY_GROUPS,
    Inconsistency,
    inconsistencies,
)
from vmrules.state import WorldState

__all__ = [
    "LIMITED_USAGE", "MAX_DATA_DISKS_CLOUD", "MAX_DATA_DISKS_LOCAL", "MAX_IMAGE_SHARES", "MAX_MULTI_ATTACH",
    "MAX_SECURITY_GROUPS", "Inconsistency", "check_invariants",
]


def check_invariants(world: WorldState) -> list[str]:
    """Every invariant ``world`` breaks, as ``path: message`` sentences; empty when all hold."""
    return [str(problem) for problem in inconsistencies(world)]
