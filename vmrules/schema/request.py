"""JSON Schema 2020-12 of each operation's request, generated from the request model and the rule data.

Titles are the API's own parameter names; descriptions are the statements of the rules that govern each field;
types and ``required`` come from the request model (what REQUEST.TYPE and REQUEST.REQUIRED enforce); ranges,
steps, enums, lengths and patterns come from ``vmrules.schema.constraints`` (the same constants the rules read).
``strict=True`` adds ``additionalProperties: false`` at every level, matching ``check(..., strict=True)``.
"""

from __future__ import annotations

import types
from collections.abc import Sequence
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from vmrules.catalogue import rules_for
from vmrules.operations import OPERATION_TABLE
from vmrules.schema.constraints import Constraint, constraints_for, object_constraints_for

JSON = dict[str, Any]
DIALECT = "https://json-schema.org/draft/2020-12/schema"
_SCALARS: dict[Any, str] = {str: "string", int: "integer", bool: "boolean", float: "number"}


def normalise(path: str) -> str:
    """``instanceSpec.dataDisks.0.diskType`` and ``instanceSpec.dataDisks[].diskType`` → the same key."""
    parts = path.replace("[]", "").split(".")
    return ".".join(p for p in parts if p and not p.isdigit())


def field_descriptions(operation: str) -> dict[str, str]:
    """Each field path of ``operation``'s request (``[]`` for list items) → its description: the statements of
    the rules that govern it, in precedence order. For the spec pages' parameter tables."""
    by_field: dict[str, list[str]] = {}
    rules = rules_for(operation)
    for r in rules:
        if r.field is not None:
            by_field.setdefault(normalise(r.field), []).append(r.statement)
    statements = {r.id: r.statement for r in rules}
    for c in constraints_for(operation):  # a rule on a list whose constraint sits on the items' field
        if c.rule in statements:
            by_field.setdefault(normalise(c.path), []).append(statements[c.rule])
    out: dict[str, str] = {}
    for path in field_paths(operation):
        governing = by_field.get(normalise(path))
        if governing:
            out[path] = " ".join(dict.fromkeys(governing))
    return out


def field_description(operation: str, path: str) -> str | None:
    """The description of one field (any path spelling: ``a.b.0.c`` or ``a.b[].c``), or None."""
    key = normalise(path)
    for candidate, text in field_descriptions(operation).items():
        if normalise(candidate) == key:
            return text
    return None


def field_paths(operation: str) -> list[str]:
    """Every parameter path of ``operation``'s request, nested ones included (``[]`` for list items)."""
    return _paths(OPERATION_TABLE[operation].request, "")


def _paths(model: type[BaseModel], prefix: str) -> list[str]:
    out: list[str] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        out.append(path)
        nested, is_list = _nested(info.annotation)
        if nested is not None:
            out.extend(_paths(nested, f"{path}[]." if is_list else f"{path}."))
    return out


def _non_null(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        return options[0] if len(options) == 1 else annotation
    return annotation


def _nested(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    annotation = _non_null(annotation)
    if get_origin(annotation) is list:
        inner = _non_null(get_args(annotation)[0])
        return (inner, True) if isinstance(inner, type) and issubclass(inner, BaseModel) else (None, True)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    return None, False


# Fields that name a region of the world (COMMON.REGION_EXISTS, COPY_IMAGES.DESTINATION_EXISTS): an enum only
# when the schema is made for a given world's regions.
REGION_FIELDS: dict[str, str] = {"regionId": "COMMON.REGION_EXISTS",
                                 "destinationRegion": "COPY_IMAGES.DESTINATION_EXISTS"}


class _Builder:
    def __init__(self, operation: str, strict: bool, regions: Sequence[str] | None) -> None:
        self.operation = operation
        self.strict = strict
        self.descriptions = {normalise(k): v for k, v in field_descriptions(operation).items()}
        self.constraints: dict[str, list[Constraint]] = {}
        found = list(constraints_for(operation))
        if regions is not None:
            fields = OPERATION_TABLE[operation].request.model_fields
            found += [Constraint(operation, rule, name, {"enum": list(regions)})
                      for name, rule in REGION_FIELDS.items() if name in fields]
        # A constraint under a condition goes in an if/then of the object whose field the condition reads: the
        # constrained field's own object, or the enclosing one ``where`` names.
        self.conditional: dict[str, list[Constraint]] = {}
        for c in found:
            if c.when is not None:
                where = c.where if c.where is not None else c.path.rpartition(".")[0]
                self.conditional.setdefault(normalise(where), []).append(c)
            else:
                self.constraints.setdefault(normalise(c.path), []).append(c)
        self.objects: dict[str, list[Constraint]] = {}
        for c in object_constraints_for(operation):
            self.objects.setdefault(normalise(c.path), []).append(c)

    def model(self, model: type[BaseModel], path: str) -> JSON:
        properties: JSON = {}
        required: list[str] = []
        conditions: list[JSON] = []
        for name, info in model.model_fields.items():
            here = f"{path}.{name}" if path else name
            properties[name] = self.field(info.annotation, here, name)
            if info.is_required():
                required.append(name)
        for c in self.conditional.get(normalise(path), ()):
            assert c.when is not None  # only conditional constraints are kept here
            sibling, value = c.when
            limited: JSON = c.keywords
            for part in reversed(c.path[len(path) + 1 if path else 0:].split(".")):
                limited = {"properties": {part: limited}}
            conditions.append({"if": {"required": [sibling], "properties": {sibling: {"const": value}}},
                               "then": limited})
        schema: JSON = {"type": "object", "properties": properties}
        if required:
            schema["required"] = required
        if self.strict:
            schema["additionalProperties"] = False
        extra = [c.keywords for c in self.objects.get(normalise(path), ())]
        if conditions or extra:
            schema["allOf"] = [*conditions, *extra]
        return schema

    def field(self, annotation: Any, path: str, name: str) -> JSON:
        schema = self.value(_non_null(annotation), path)
        out: JSON = {"title": name}
        description = self.descriptions.get(normalise(path))
        if description:
            out["description"] = description
        out.update(schema)
        for c in self.constraints.get(normalise(path), ()):
            out.update(c.keywords)
        return out

    def value(self, annotation: Any, path: str) -> JSON:
        if annotation in _SCALARS:
            return {"type": _SCALARS[annotation]}
        if get_origin(annotation) is Literal:
            return {"enum": list(get_args(annotation))}
        if get_origin(annotation) is list:
            item = self.value(_non_null(get_args(annotation)[0]), f"{path}[]")
            return {"type": "array", "items": item}
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return self.model(annotation, path)
        return {}


def request_schema(operation: str, *, strict: bool = False, regions: Sequence[str] | None = None) -> JSON:
    """The JSON Schema of ``operation``'s request parameters (path, query and body together, as ``execute``
    takes them). ``strict``: no names the request does not define. ``regions``: the regions of the world the
    requests go to (``list(world.regions)``), which makes regionId an enum; without it the schema holds for
    any world."""
    op = OPERATION_TABLE[operation]
    body = _Builder(operation, strict, regions).model(op.request, "")
    return {"$schema": DIALECT, "$id": f"https://vmrules.invalid/schema/{operation}.json", "title": operation,
            "description": op.summary, **body}
