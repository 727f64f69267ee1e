"""Effects as data: what a successful operation does, each with an id, a statement, a source and a kind.

A rule says when an operation refuses; an effect says what it does when it accepts: a default it applies
(page size 20, autoDelete true), a status change and its completion by ``settle`` (running -> stopping ->
stopped), what a deletion removes and what it keeps, what becomes visible to whom. An operation declares its
effects (``Operation.effects``); the transition that carries one out names its id in a ``# effect: ID`` comment,
so a reader goes from the sentence to the code and back. ``vmrules.EFFECTS`` lists them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from vmrules.rules import Source

EffectKind = Literal["default", "status", "removal", "visibility", "result", "change"]
# The resource kinds whose statuses the state diagrams show (docs/states.md).
ResourceKind = Literal["instance", "image", "disk attachment"]

EFFECT_KINDS: dict[EffectKind, str] = {
    "default": "a value the operation uses when a parameter is absent",
    "status": "a status the call sets and the status settle ends it in",
    "removal": "what a deletion removes and what it keeps",
    "visibility": "what becomes visible to whom",
    "result": "what the result contains",
    "change": "an attribute the call changes",
}


@dataclass(frozen=True, slots=True)
class StatusChange:
    """What a successful call does to one resource's status. ``before`` are the statuses it starts from (empty:
    the call creates the resource); ``during`` is visible from the call until ``settle`` completes the task
    ``task``; ``after`` is the status then (None: the resource is gone). Without a task the change is immediate
    and ``during`` equals ``after``."""

    resource: ResourceKind
    before: tuple[str, ...]
    during: str
    after: str | None
    task: str | None


@dataclass(frozen=True, slots=True)
class Effect:
    """A named, documented behaviour of a successful call.

    ``field`` and ``default`` are set for defaults (the parameter path, "[]" for list items, and the value used
    when it is absent, as text); ``change`` for status changes (the state diagrams are drawn from these).
    """

    id: str
    kind: EffectKind
    statement: str
    source: Source
    field: str | None = None
    default: str | None = None
    change: StatusChange | None = None

    def __post_init__(self) -> None:
        if (self.kind == "default") != (self.default is not None):
            raise ValueError(f"effect {self.id}: a default effect needs a default value, no other kind has one")
        if (self.kind == "status") != (self.change is not None):
            raise ValueError(f"effect {self.id}: a status effect needs a StatusChange, no other kind has one")


def default(effect_id: str, field: str, value: str, statement: str, source: Source) -> Effect:
    """The effect of applying ``value`` when the parameter ``field`` is absent."""
    return Effect(effect_id, "default", statement, source, field=field, default=value)


def status(effect_id: str, statement: str, source: Source, change: StatusChange) -> Effect:
    return Effect(effect_id, "status", statement, source, change=change)


def effect(effect_id: str, kind: EffectKind, statement: str, source: Source, field: str | None = None) -> Effect:
    return Effect(effect_id, kind, statement, source, field=field)
