"""Query strings of the JD Cloud API: flattening ``filters.1.name`` to nested parameters, and typing the values.

GET and DELETE carry parameters in the query string with 1-based list indexes
(``filters.1.name=status&filters.1.values.1=running``); POST carries a JSON body. Query values arrive as text,
so they are typed by the operation's request model (``"20"`` → 20 where the model wants an integer).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from vmrules.operation import Operation

MAX_QUERY_DEPTH = 8  # name segments in one query parameter name (filters.1.values.1 has 4)
MAX_LIST_INDEX = 1000


class QueryError(ValueError):
    """A query string that does not describe a parameter object."""


def unflatten(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """``[("ids.1", "a"), ("filters.1.values.1", "x")]`` → ``{"ids": ["a"], "filters": [{"values": ["x"]}]}``."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = key.split(".")
        if not all(parts):
            raise QueryError(f"bad query parameter name {key!r}")
        if len(parts) > MAX_QUERY_DEPTH:
            raise QueryError(f"query parameter name {key[:80]!r} nests deeper than {MAX_QUERY_DEPTH} levels")
        node: dict[Any, Any] = root
        for i, part in enumerate(parts):
            index: Any = int(part) if part.isascii() and part.isdigit() else part
            if isinstance(index, int) and (i == 0 or index < 1 or index > MAX_LIST_INDEX):
                raise QueryError(f"bad list index in query parameter {key!r}")
            last = i == len(parts) - 1
            existing = node.get(index)
            if last:
                if existing is not None:
                    raise QueryError(f"query parameter {key!r} given twice or both as a value and a list")
                node[index] = value
            else:
                if existing is None:
                    existing = node[index] = {}
                elif not isinstance(existing, dict):
                    raise QueryError(f"query parameter {key!r} is both a value and a list")
                node = existing
    result = _lists(root)
    assert isinstance(result, dict)
    return result


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    keys = list(node)
    if keys and all(isinstance(k, int) for k in keys):
        if sorted(keys) != list(range(1, len(keys) + 1)):
            raise QueryError(f"list indexes {sorted(keys)[:10]} do not run 1, 2, ... without gaps")
        return [_lists(node[k]) for k in sorted(keys)]
    if any(isinstance(k, int) for k in keys):
        raise QueryError("query mixes list indexes and names at one level")
    return {k: _lists(v) for k, v in node.items()}


# ASCII digits only: a str pattern's \d also matches other scripts' digits ("١٠", "１０"), which int() reads but
# a JSON number never holds, so such text stays text and the request model refuses it. Any length Python turns
# into an int (4,300 digits by default) is one: the engine then reads it as it reads the same number in a JSON
# body (past 640 digits REQUEST.UNREADABLE), so a GET and execute answer alike.
_INTEGER = re.compile(r"-?[0-9]{1,4300}")


def typed(value: Any, schema: Mapping[str, Any], defs: Mapping[str, Any]) -> Any:
    """Type query-string text by the request model's JSON schema (integers, booleans); leave the rest."""
    if "$ref" in schema:
        schema = defs.get(schema["$ref"].rsplit("/", 1)[-1], {})
    for option in schema.get("anyOf", ()):
        if option.get("type") != "null":
            converted = typed(value, option, defs)
            if converted is not value:
                return converted
    kind = schema.get("type")
    if isinstance(value, str):
        if kind == "integer" and _INTEGER.fullmatch(value):
            try:
                return int(value)
            except ValueError:  # past the digits sys.set_int_max_str_digits allows: it stays text
                return value
        if kind == "boolean" and value.lower() in ("true", "false"):
            return value.lower() == "true"
        return value
    if isinstance(value, list) and kind == "array":
        items = schema.get("items", {})
        return [typed(v, items, defs) for v in value]
    if isinstance(value, dict) and kind == "object":
        props = schema.get("properties", {})
        return {k: typed(v, props.get(k, {}), defs) for k, v in value.items()}
    return value


_SCHEMAS: dict[str, dict[str, Any]] = {}


def typed_params(operation: Operation[Any, Any], params: dict[str, Any]) -> dict[str, Any]:
    schema = _SCHEMAS.get(operation.name)
    if schema is None:
        schema = _SCHEMAS[operation.name] = operation.request.model_json_schema()
    result = typed(params, {**schema, "type": "object"}, schema.get("$defs", {}))
    return result if isinstance(result, dict) else params
