"""Bulk builds of long-lived objects: ``collector_paused()`` and ``positional_constructor(cls)``.

``collector_paused()`` holds the cyclic garbage collector off while a bulk build makes long-lived objects.

Reading a 100,000-instance snapshot or building 100,000 instances allocates millions of objects that all
stay alive; CPython's collector, triggered every few hundred allocations, keeps re-walking them and finds
nothing to free (40-45% of the time of those builds, bench/scale.py). The collector's state is the one piece
of process state the core touches, and only like ``timeit`` does: it is paused only if it was enabled, and
re-enabled in ``finally``, so an exception, a nested pause or a caller that disabled it itself all leave it as
they found it. Nothing is lost meanwhile: reference counting still frees every acyclic object at once, and
cycles made meanwhile (by other threads, say) are collected later: the pause ends by moving the young objects
to the oldest generation without walking them (``gc.freeze()`` then ``gc.unfreeze()``, when nothing is frozen),
so such cycles wait for the next full collection.
docs/decisions/bulk-builds.md says why this and not a structural fix alone.

``positional_constructor(cls)`` makes a frozen, slotted dataclass from all its fields' values without the
per-field ``object.__setattr__`` calls of the generated ``__init__`` (entities are made by the hundred
thousand in a bulk build or a snapshot read).
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the ``with`` block if it is enabled; restore it afterwards."""
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                # Everything made during the pause is in the young generation, and the first collection after
                # it would walk all of it (15% of a bulk build) only to promote it. Promote it without the walk:
                # freezing moves every tracked object to the permanent generation, unfreezing moves them all to
                # the oldest one. Only when nothing is frozen, so that nobody else's frozen objects are thawed.
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def positional_constructor(cls: Callable[P, T]) -> Callable[P, T]:
    """A function that makes a ``cls`` exactly as ``cls(...)`` does, typed as ``cls``'s constructor, but that
    must be given every field (no defaults), and that writes the fields through the slots' own descriptors
    instead of one ``object.__setattr__`` call each (about 3.5 times faster for a 24-field entity).

    ``cls`` must be a frozen dataclass with slots and without ``__post_init__``. The function is generated
    from the fields, like the dataclass's own ``__init__``, so its parameters are the fields' names in order.
    """
    assert isinstance(cls, type) and dataclasses.is_dataclass(cls) and "__slots__" in cls.__dict__
    assert not hasattr(cls, "__post_init__"), f"{cls.__name__} has a __post_init__ this would skip"
    names = [f.name for f in dataclasses.fields(cls)]
    namespace: dict[str, object] = {"_new": object.__new__, "_cls": cls}
    lines = [f"def make({', '.join(names)}):", "    self = _new(_cls)"]
    for name in names:
        namespace[f"_set_{name}"] = cls.__dict__[name].__set__  # the slot's member descriptor
        lines.append(f"    _set_{name}(self, {name})")
    lines.append("    return self")
    exec("\n".join(lines), namespace)  # the source names only the class's own fields
    make = namespace["make"]
    make.__qualname__ = make.__name__ = f"new_{cls.__name__}"  # type: ignore[attr-defined]
    return make  # type: ignore[return-value]
