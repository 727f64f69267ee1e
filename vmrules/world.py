"""``World``: the immutable world users and operations hold, with its conveniences (default, snapshots).

The data and its lookups are ``vmrules.state.WorldState``; the modules that build or read worlds (builders,
snapshots, the default world) are written against that record and sit below this module. ``World`` adds only
what needs them: ``World.default()``, ``World.from_dict(data)`` / ``World.from_json(text)`` and
``world.to_dict()`` / ``world.to_json()``. Those modules return a
world of the class they are handed (``make``), so every world a user sees is a ``World`` and the imports run
one way: state -> builders, snapshot, defaults -> world.
"""

from __future__ import annotations

from typing import Any

from vmrules.defaults import default_world
from vmrules.snapshot.reading import world_from_dict, world_from_json
from vmrules.snapshot.writing import world_to_dict, world_to_json
from vmrules.state import Batch, UsageKey, WorldState, fresh_id

__all__ = ["Batch", "UsageKey", "World", "fresh_id"]


class World(WorldState):
    """The world: a ``WorldState`` (every field and lookup is there) that can also load and save itself."""

    __slots__ = ()

    @classmethod
    def default(cls) -> World:
        """The embedded default world (docs/world-format.md)."""
        return default_world(cls)

    @classmethod
    def from_dict(cls, data: object) -> World:
        """Read a snapshot (docs/world-format.md). Raises ``SnapshotError`` naming the path on bad input."""
        return world_from_dict(data, cls)

    @classmethod
    def from_json(cls, text: str | bytes) -> World:
        """Read a snapshot from JSON text: ``World.from_dict(json.loads(text))``, in one pass of pydantic-core
        over the text. Raises ``SnapshotError`` naming the path on bad input (``""`` for text that is not JSON)."""
        return world_from_json(text, cls)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible snapshot in the API's camelCase shapes."""
        return world_to_dict(self)

    def to_json(self) -> str:
        """The snapshot as compact JSON text (what ``json.dumps(self.to_dict(), ensure_ascii=False,
        separators=(",", ":"))`` gives, written by pydantic-core)."""
        return world_to_json(self)
