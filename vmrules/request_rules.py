"""Rules that hold before any operation-specific rule: the operation exists, the caller is an account, and
the parameters have the request model's shape (readable, required fields present, JSON types right, and in
strict mode no names the request does not define)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from vmrules.plain import Unreadable, json_kind, json_shown, safe_repr
from vmrules.request_fields import UnknownName
from vmrules.rules import Finding, Findings, Phase, Rule, inferred, rule
from vmrules.world import World


@dataclass(slots=True)
class RawRequest:
    """A request as it arrived, before parsing. ``params`` are plain values (``vmrules.plain``);
    ``shape_errors`` are the request model's validation errors, ``unreadable`` the values that could not be
    read, ``unknown`` the names the request does not define (found in strict mode only)."""

    operation: object
    params: object
    known_operation: bool
    shape_errors: tuple[Mapping[str, Any], ...] = ()
    unreadable: tuple[Unreadable, ...] = ()
    unknown: tuple[UnknownName, ...] = ()


@dataclass(slots=True)
class CallerCheck:
    world: World
    pin: object


@rule(
    "REQUEST.UNKNOWN_OPERATION",
    phase=Phase.REQUEST,
    statement="The operation must be one of the 35 operations of the seed.",
    source=inferred("the seed's API table lists exactly 35 operations"),
)
def unknown_operation(raw: RawRequest) -> Findings:
    if raw.known_operation:
        return None
    return Finding(f"unknown operation {safe_repr(raw.operation)}; see vmrules.OPERATIONS")


@rule(
    "REQUEST.NOT_AN_OBJECT",
    phase=Phase.REQUEST,
    statement="The parameters must be a JSON object (or an object with attributes, such as an SDK parameters "
    "object).",
    source=inferred("every operation takes named parameters"),
)
def not_an_object(raw: RawRequest) -> Findings:
    if not raw.known_operation or type(raw.params) is dict or any(u.path is None for u in raw.unreadable):
        return None
    return Finding(f"parameters must be a JSON object, got {json_kind(raw.params)}")


@rule(
    "REQUEST.UNREADABLE",
    phase=Phase.REQUEST,
    statement="Every parameter can be read as a JSON value: reading it (its attributes, items, length, hash or "
    "text) does not fail, it does not contain itself, it nests at most 64 levels, it holds at most 200,000 "
    "values, no integer in it has more than 640 digits and every string in it is Unicode text (no lone "
    "surrogate).",
    source=inferred("parameters stand for a JSON document; a Python object that cannot be read as one is no "
    "request"),
)
def unreadable(raw: RawRequest) -> Findings:
    return [Finding(f"{u.path or 'the parameters'} cannot be read as a JSON value: {u.reason}", u.path)
            for u in raw.unreadable]


@rule(
    "REQUEST.REQUIRED",
    phase=Phase.REQUEST,
    statement="Every required parameter is present; null counts as absent.",
    source=inferred("required parameters as the API definitions mark them (the official SDK's parameter classes "
                    "take them as constructor arguments)"),
)
def required(raw: RawRequest) -> Findings:
    return list(_findings(raw, missing=True))


@rule(
    "REQUEST.TYPE",
    phase=Phase.REQUEST,
    statement="Every parameter has its JSON type (string, integer, boolean, array, object); no coercion.",
    source=inferred("parameter types as the API definitions give them (the official SDK's parameter "
                    "docstrings)"),
)
def wrong_type(raw: RawRequest) -> Findings:
    return list(_findings(raw, missing=False))


def _findings(raw: RawRequest, *, missing: bool) -> Iterator[Finding]:
    for e in raw.shape_errors:
        # A null where a value is required reads as "missing": the API treats null and absent alike.
        is_null = e.get("input", ...) is None and str(e.get("type", "")).endswith("_type")
        is_missing = e.get("type") == "missing" or is_null
        if is_missing != missing:
            continue
        path = ".".join(str(p) for p in e.get("loc", ())) or None
        if missing:
            yield Finding(f"{path} is required" + (" (got null)" if is_null else ""), path)
        else:
            got = json_shown(e.get("input"))
            yield Finding(f"{path or 'parameters'}: {_in_json_words(e)} (got {got})", path)


# pydantic's words for a value of the wrong type, in the words of the JSON a request is written in (no Python
# "dictionary", "list" or "object to extract fields from")
_JSON_WORDING = {
    "string_type": "should be a string",
    "list_type": "should be an array",
    "int_type": "should be an integer",
    "int_parsing": "should be an integer",
    "int_from_float": "should be an integer",
    "bool_type": "should be true or false",
    "bool_parsing": "should be true or false",
    "float_type": "should be a number",
    "float_parsing": "should be a number",
    "dict_type": "should be an object",
    "model_type": "should be an object",
    "model_attributes_type": "should be an object",
    "dataclass_type": "should be an object",
}


def _in_json_words(error: Mapping[str, Any]) -> str:
    wording = _JSON_WORDING.get(str(error.get("type", "")))
    if wording is not None:
        return wording
    message = str(error.get("msg", "is not a valid value"))
    return message[len("Input "):] if message.startswith("Input ") else message  # "should be 'a' or 'b'"


@rule(
    "REQUEST.UNKNOWN_FIELD",
    phase=Phase.REQUEST,
    statement="In strict mode, every parameter name, at every nesting level, is one the operation defines (the "
    "API itself ignores unknown names; strict mode catches misspellings).",
    source=inferred("the API definitions list each operation's parameter names; a name outside them has no "
    "effect, which a validator reports because it is almost always a misspelling"),
)
def unknown_field(raw: RawRequest) -> Findings:
    return [Finding(f"{_named(u.path)} is not a parameter of {raw.operation}"
                    + (f"; did you mean {u.suggestion}?" if u.suggestion else ""), u.path)
            for u in raw.unknown]


def _named(path: str) -> str:
    """A path as a message shows it: quoted when an empty name would leave a blank in the sentence."""
    return path if path and not path.endswith(".") and ".." not in path else f'"{path}"'



@rule(
    "REQUEST.UNKNOWN_CALLER",
    phase=Phase.PERMISSION,
    statement="The caller must be an account of the world.",
    source=inferred("requests are signed by an account; an unknown account may do nothing"),
)
def unknown_caller(check: CallerCheck) -> Findings:
    if type(check.pin) is str and check.pin in check.world.accounts:
        return None
    return Finding(f"caller {safe_repr(check.pin)} is not an account of this world")


REQUEST_RULES: tuple[Rule[RawRequest], ...] = (
    unknown_operation, not_an_object, unreadable, required, wrong_type, unknown_field,
)
CALLER_RULES: tuple[Rule[CallerCheck], ...] = (unknown_caller,)
