"""Arbitrary JSON-like values and request shapes for totality tests (json_like, arbitrary_params)."""

from __future__ import annotations

import types
from typing import Any

from hypothesis import strategies as st

from vmrules.defaults import NORTH
from vmrules.operations import OPERATION_TABLE

# ==== JSON-like values ===============================================================================

_HUGE = ("x" * 100_000, "云" * 20_000, "\x00" * 1000, "9" * 5000)


def json_like(*, max_leaves: int = 20) -> st.SearchStrategy[Any]:
    """Arbitrary JSON-like values: None, booleans, integers of any size, floats (nan, inf), unicode and huge
    strings, lists and dicts nested arbitrarily deep (plus the occasional tuple, bytes or set)."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.sampled_from([0, -1, 2**63, -(2**63) - 1, 10**100]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
        st.sampled_from(_HUGE),
        st.sampled_from(["", "null", "true", "0", "i-", "cn-north-1", "running", "ssd", "{}", "[]"]),
    )
    odd = st.sampled_from([b"bytes", (1, 2), frozenset({1}), 1j])
    return st.recursive(
        st.one_of(scalars, odd),
        lambda children: st.one_of(
            st.lists(children, max_size=5),
            st.dictionaries(st.text(max_size=12), children, max_size=5),
        ),
        max_leaves=max_leaves,
    )


def _deep(depth: int) -> Any:
    value: Any = "bottom"
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


def arbitrary_params(operation: str | None = None) -> st.SearchStrategy[Any]:
    """Parameters of every shape: JSON-like values, objects with the request's field names and arbitrary
    values, deep nesting, attribute objects (as SDK parameter objects are)."""
    names: list[str] = ["regionId"]
    op = OPERATION_TABLE.get(operation) if operation is not None else None
    if op is not None:
        names = sorted(op.request.model_fields)
    shaped = st.dictionaries(st.sampled_from(names), json_like(max_leaves=8), max_size=len(names))
    with_region = shaped.map(lambda d: {"regionId": NORTH, **d})
    extras = st.dictionaries(st.text(max_size=10), json_like(max_leaves=4), max_size=4)
    merged = st.tuples(with_region, extras).map(lambda t: {**t[1], **t[0]})
    return st.one_of(
        json_like(),
        shaped,
        with_region,
        merged,
        st.sampled_from([1, 2, 50, 500]).map(lambda n: {"regionId": NORTH, "instanceSpec": _deep(n),
                                                        "filters": _deep(n)}),
        with_region.map(lambda d: types.SimpleNamespace(**{k: v for k, v in d.items() if k.isidentifier()})),
    )
