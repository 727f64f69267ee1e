"""``collector_paused()``: the cyclic garbage collector held off while a bulk build makes long-lived objects.

Reading a 100,000-instance snapshot or building 100,000 instances allocates millions of objects that all
stay alive; CPython's collector, triggered every few hundred allocations, keeps re-walking them and finds
nothing to free (40-45% of the time of those builds, bench/scale.py). The collector's state is the one piece
of process state the core touches, and only like ``timeit`` does: it is paused only if it was enabled, and
re-enabled in ``finally``, so an exception, a nested pause or a caller that disabled it itself all leave it as
they found it. Nothing is lost meanwhile: reference counting still frees every acyclic object at once, and
cycles made meanwhile (by other threads, say) are collected at the next collection after the pause.
docs/decisions/bulk-builds.md says why this and not a structural fix alone.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


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
            gc.enable()
