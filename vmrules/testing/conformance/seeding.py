"""Seeds that replay wherever they are run.

Hypothesis (6.131 and later) mixes constants it finds in the process's own modules into what it draws: now and
then an integer or a string is taken from the source of any imported module that is neither the standard
library, an installed package nor a test file. Which modules those are depends on the process: a pytest
session that imported a user's service and adapter modules is not ``vmrules conform`` on the command line, and
an editable install of vmrules counts its own modules too. The same seed then draws other steps, and a
conformance failure reported with ``--seed N`` does not replay with that seed elsewhere.

``seed_only_draws()`` empties that pool while the kit runs, so that what a run draws depends on its seed alone.
It reaches into hypothesis's internals (``hypothesis.internal.conjecture.providers``); if those are not there
(another hypothesis), it changes nothing, and tests/test_conformance.py, which checks that a seed replays
after a module full of constants is imported, says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hypothesis.internal.conjecture import providers

try:
    from hypothesis.internal.constants_ast import Constants
except ImportError:  # a hypothesis without the pool
    Constants = None  # type: ignore[assignment, misc]


@contextmanager
def seed_only_draws() -> Iterator[None]:
    """While the block runs, hypothesis draws no constants from the process's modules (its own global
    constants, the same everywhere, stay). Restores hypothesis as it was, and empties the cache of allowed
    constants on both sides so that neither sees the other's."""
    local_constants: Any = getattr(providers, "_get_local_constants", None)
    cache: Any = getattr(providers, "CONSTANTS_CACHE", None)
    if Constants is None or not callable(local_constants) or cache is None or not hasattr(cache, "cache"):
        yield
        return
    empty = Constants()
    setattr(providers, "_get_local_constants", lambda: empty)  # noqa: B010 - a module's private function
    cache.cache.clear()
    try:
        yield
    finally:
        setattr(providers, "_get_local_constants", local_constants)  # noqa: B010
        cache.cache.clear()
