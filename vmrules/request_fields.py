"""The parameter names a request model defines at every nesting level, and the names a request adds to them.

The API ignores names it does not define; strict mode (``check(..., strict=True)``) reports each one with its
full path and, when a defined name is close, a suggestion. The walk runs over plain values (``vmrules.plain``).
"""

from __future__ import annotations

import difflib
import types
from dataclasses import dataclass
from functools import cache
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel


@dataclass(frozen=True, slots=True)
class Shape:
    """What a field holds, as far as names go: a nested model, a list of some shape, or a leaf (neither)."""

    model: type[BaseModel] | None = None
    item: Shape | None = None


LEAF = Shape()


def shape_of(annotation: Any) -> Shape:
    """The shape of a field annotation: ``X | None`` is ``X``; ``list[X]`` a list of X's shape."""
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        for arg in get_args(annotation):
            if arg is not type(None):
                found = shape_of(arg)
                if found != LEAF:
                    return found
        return LEAF
    if origin in (list, tuple):
        args = [a for a in get_args(annotation) if a is not Ellipsis]
        return Shape(item=shape_of(args[0])) if args else LEAF
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return Shape(model=annotation)
    return LEAF


@cache
def fields_of(model: type[BaseModel]) -> dict[str, Shape]:
    """The model's parameter names, each with its shape."""
    return {name: shape_of(info.annotation) for name, info in model.model_fields.items()}


@dataclass(frozen=True, slots=True)
class UnknownName:
    """A name the request model does not define: its full path and a close defined name, if any."""

    path: str
    suggestion: str | None


def suggest(name: str, known: list[str]) -> str | None:
    """The defined name ``name`` most likely meant: same letters in another case, else a close spelling."""
    for candidate in known:
        if candidate.lower() == name.lower():
            return candidate
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return close[0] if close else None


def unknown_names(model: type[BaseModel], value: Any, path: str | None = None) -> list[UnknownName]:
    """Every name in the plain ``value`` (a dict for ``model``) that its model does not define, depth first."""
    if type(value) is not dict:
        return []
    known = fields_of(model)
    found: list[UnknownName] = []
    for name, item in value.items():
        here = name if path is None else f"{path}.{name}"
        shape = known.get(name)
        if shape is None:
            close = suggest(name, list(known))
            found.append(UnknownName(here, None if close is None else _swap_last(here, close)))
        else:
            found.extend(_within(shape, item, here))
    return found


def _within(shape: Shape, value: Any, path: str) -> list[UnknownName]:
    if shape.model is not None:
        return unknown_names(shape.model, value, path)
    if shape.item is not None and type(value) in (list, tuple):
        found: list[UnknownName] = []
        for i, item in enumerate(value):
            found.extend(_within(shape.item, item, f"{path}.{i}"))
        return found
    return []


def _swap_last(path: str, name: str) -> str:
    head, _, _ = path.rpartition(".")
    return f"{head}.{name}" if head else name
