"""A request model's parameters, flattened from its pydantic JSON schema (nested objects and list items
expanded, ``[]`` marking list items)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

JSON = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Param:
    path: str  # "instanceSpec.dataDisks[].diskCategory"
    type: str
    required: bool  # within its enclosing object
    default: Any  # the schema's default (None when absent or null)
    description: str | None


def normalise(path: str) -> str:
    """A field path with list indexes and ``[]`` removed, for matching rule fields to parameters."""
    path = path.replace("[]", "")
    return ".".join(p for p in path.split(".") if p and not re.fullmatch(r"\d+", p))


def _resolve(schema: JSON, defs: JSON) -> JSON:
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return dict(defs.get(ref.rsplit("/", 1)[-1], {}))
    return schema


def _non_null(schema: JSON) -> list[JSON]:
    options = schema.get("anyOf")
    if isinstance(options, list):
        return [o for o in options if o.get("type") != "null"]
    return [schema]


def _describe(schema: JSON, defs: JSON) -> tuple[str, JSON | None]:
    """A type name and, when the value is (a list of) objects, the object schema to expand."""
    options = _non_null(schema)
    if len(options) != 1:
        names = [_describe(o, defs)[0] for o in options]
        return " or ".join(names), None
    option = options[0]
    if "$ref" in option:
        target = _resolve(option, defs)
        if target.get("type") == "object" or "properties" in target:
            return f"object ({target.get('title', 'object')})", target
        return _describe(target, defs)
    if "enum" in option:
        return "string, one of " + ", ".join(f"`{v}`" for v in option["enum"]), None
    if "const" in option:
        return f"`{option['const']}`", None
    kind = option.get("type")
    if kind == "array":
        item_name, item_obj = _describe(option.get("items", {}), defs)
        return f"array of {item_name}", item_obj
    if kind == "object":
        if "properties" in option:
            return f"object ({option.get('title', 'object')})", option
        return "object", None
    return str(kind or "any"), None


def flatten(model: type[BaseModel]) -> list[Param]:
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    out: list[Param] = []
    _walk(schema, defs, "", out, 0)
    return out


def _walk(obj: JSON, defs: JSON, prefix: str, out: list[Param], depth: int) -> None:
    if depth > 8:
        return
    required = set(obj.get("required", ()))
    for name, prop in obj.get("properties", {}).items():
        type_name, nested = _describe(prop, defs)
        path = f"{prefix}{name}"
        default = prop.get("default")
        out.append(Param(path, type_name, name in required, default, prop.get("description")))
        if nested is not None:
            is_list = type_name.startswith("array of")
            _walk(nested, defs, f"{path}[]." if is_list else f"{path}.", out, depth + 1)
