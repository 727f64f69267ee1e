"""JSON Schema of each operation's result, generated from what the operation returns in its worked example.

Results have no request-model counterpart: they are rendered by ``vmrules.views`` from the world. The schema
is read off the result of the operation's successful worked example (vmrules/spec_examples.py, the same
examples the spec pages show): the members present there, their JSON types, list item shapes merged over every
item. Because one example cannot show which members are optional or may be null, members are not ``required``
and scalars also admit null; the schema documents the shape, not every value.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from vmrules import spec_examples as examples
from vmrules.schema.request import DIALECT, JSON

_TYPES: dict[type, str] = {bool: "boolean", int: "integer", float: "number", str: "string"}


def shape(value: Any, title: str | None = None) -> JSON:
    """The schema of one JSON value as seen: objects by member, lists by their items' merged shape."""
    out: JSON = {} if title is None else {"title": title}
    if isinstance(value, dict):
        out["type"] = "object"
        out["properties"] = {k: shape(v, k) for k, v in value.items()}
        return out
    if isinstance(value, list):
        out["type"] = "array"
        items = [shape(v) for v in value]
        out["items"] = _merge(items) if items else {}
        return out
    kind = _TYPES.get(type(value))
    if kind is not None:
        out["type"] = [kind, "null"] if kind != "number" else ["number", "integer", "null"]
    return out


def _merge(shapes: list[JSON]) -> JSON:
    first = dict(shapes[0])
    if first.get("type") != "object":
        return first
    properties: JSON = {}
    for s in shapes:
        for name, sub in s.get("properties", {}).items():
            properties.setdefault(name, sub)
    first["properties"] = properties
    return first


@cache
def _example_results() -> dict[str, JSON]:
    found: dict[str, JSON] = {}
    for example in examples.EXAMPLES:
        if example.expect is not None or example.operation in found or not examples.runnable(example):
            continue
        run = examples.run_example(example)
        if run.outcome.ok:
            found[example.operation] = run.outcome.result
    return found


def result_schema(operation: str, *, envelope: bool = False) -> JSON:
    """The schema of ``operation``'s ``result`` member (with ``envelope``: of the whole success response)."""
    body = shape(_example_results().get(operation, {}))
    body["title"] = f"{operation} result"
    if envelope:
        body = {"type": "object", "required": ["requestId", "result"],
                "properties": {"requestId": {"type": "string"}, "result": body}}
    return {"$schema": DIALECT, **body}
