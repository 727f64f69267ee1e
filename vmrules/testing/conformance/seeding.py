"""Seeds that replay wherever they are run.

Hypothesis (6.170, the version this project tests with) mixes constants it finds in the process's own modules
into what it draws: now and then an integer or a string is taken from the source of any imported module that
is neither the standard library, an installed package nor a test file. Which modules those are depends on the
process: a pytest session that imported a user's service and adapter modules is not ``vmrules conform`` on the
command line, and an editable install of vmrules counts its own modules too. The same seed then draws other steps, and a
conformance failure reported with ``--seed N`` does not replay with that seed elsewhere.

``seed_only_draws()`` empties that pool while the kit runs, so that what a run draws depends on its seed alone.
It reaches into hypothesis's internals (``hypothesis.internal.conjecture.providers``); if those are not there
(another hypothesis), it changes nothing, and tests/test_conformance.py, which checks that a seed replays
after a module full of constants is imported, says so.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hypothesis.internal.conjecture import providers

try:
    from hypothesis.internal.constants_ast import Constants
except ImportError:  # a hypothesis without the pool
    Constants = None  # type: ignore[assignment, misc]

_LOCAL_CONSTANTS: Any = getattr(providers, "_get_local_constants", None)
_CACHE: Any = getattr(providers, "CONSTANTS_CACHE", None)
_USABLE = Constants is not None and callable(_LOCAL_CONSTANTS) and hasattr(_CACHE, "cache")
# Runs may overlap (threads, or a kit run inside another): the pool is emptied by the first to enter and
# restored by the last to leave, whatever order they leave in.
_lock = threading.Lock()
_active = [0]


def _install(get_constants: Any) -> None:
    setattr(providers, "_get_local_constants", get_constants)  # noqa: B010 - a module's private function
    _CACHE.cache.clear()  # the allowed constants cached so far were computed with the other pool


@contextmanager
def seed_only_draws() -> Iterator[None]:
    """While the block runs, hypothesis draws no constants from the process's modules (its own global
    constants, the same everywhere, stay); afterwards hypothesis is as it was."""
    if not _USABLE:
        yield
        return
    empty = Constants()
    with _lock:
        if _active[0] == 0:
            _install(lambda: empty)
        _active[0] += 1
    try:
        yield
    finally:
        with _lock:
            _active[0] -= 1
            if _active[0] == 0:
                _install(_LOCAL_CONSTANTS)
