"""Reading untrusted Python parameters as plain JSON values, so that no caller object's code runs unguarded.

``execute``/``check`` accept any Python object as parameters: a dict, an SDK parameters object, or something
hostile whose ``__repr__``, ``__getattribute__``, ``__eq__``, ``__hash__``, ``__len__`` or ``__iter__`` raises.
``to_plain`` copies the parameters once, at the door, into exact ``dict``/``list``/``tuple``/``str``/``int``/
``float``/``bool``/``None`` values; everything after it (pydantic, the rules, error messages) sees only those.

* Subclasses of the JSON types are read through the base type's own C methods (``str.__str__(s)``,
  ``dict.items(d)``), which never dispatch to an override.
* Objects with attributes (SDK parameters objects) are read through ``vars()``, inside a guard; attributes whose
  value is None or whose name starts with ``_`` are left out (an SDK object sets every name it knows to None).
* Any other value becomes an ``Opaque`` leaf naming only its type: it is refused where a JSON value is expected.
* Whatever raises while being read (any ``Exception``) becomes an ``Unreadable`` note with the field path.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_DEPTH = 64  # nesting levels; no request of the API nests deeper than 6
MAX_NODES = 200_000  # values read from one request; shared sub-objects count each time they are reached
# Integers are read up to 640 digits: the fewest Python may be set to turn into text (sys.set_int_max_str_digits),
# so every integer read can be shown in a message, and none of the API's fields comes near it.
MAX_INT_DIGITS = 640
_INT_BOUND = 10**MAX_INT_DIGITS
# A lone surrogate is no Unicode text: it cannot be written as UTF-8, so a world or an answer holding one
# could not be saved or sent (JSON's "\ud800" escape decodes to one).
_SURROGATE = re.compile("[\ud800-\udfff]")
NOT_TEXT = "a string with a lone surrogate (not Unicode text)"


@dataclass(frozen=True, slots=True)
class Opaque:
    """A value that is no JSON value (a set, bytes, a custom object without attributes): only its type name."""

    type_name: str

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A field whose value could not be read: the path (``a.b.0``, or None for the parameters themselves)."""

    path: str | None
    reason: str


@dataclass(slots=True)
class Plain:
    """The parameters as plain values, plus what could not be read and the names that are not strings."""

    value: Any
    unreadable: list[Unreadable] = field(default_factory=list)
    odd_names: list[str] = field(default_factory=list)  # paths of dict keys that are not strings


def type_name(value: object) -> str:
    """The name of ``value``'s type, never running code of ``value``'s class."""
    try:
        name = type.__getattribute__(type(value), "__name__")
    except Exception:  # a metaclass that refuses even that
        return "object"
    return name if type(name) is str else "object"


def _reason(exc: BaseException, what: str) -> str:
    return f"{what} raised {type_name(exc)}"


def _join(path: str | None, part: str | int) -> str:
    return str(part) if path is None else f"{path}.{part}"


def _scalar(value: object) -> bool:
    """Whether ``value`` is an exact JSON scalar (an integer of at most ``MAX_INT_DIGITS`` digits). Types are
    compared by identity, not looked up in a set: hashing a type runs its metaclass's ``__hash__``, which a
    caller's class may override (and make raise)."""
    kind = type(value)
    if kind is str:
        return value.isascii() or _text(value)  # type: ignore[attr-defined,arg-type]  # narrowed by kind
    if kind is int:
        return -_INT_BOUND < value < _INT_BOUND  # type: ignore[no-any-return]  # narrowed by kind, not by mypy
    return kind is bool or kind is float or value is None


def _text(value: str) -> bool:
    """Whether ``value`` is Unicode text: no lone surrogate (the test for a string that is not ASCII)."""
    return _SURROGATE.search(value) is None


class _Reader:
    def __init__(self) -> None:
        self.nodes = 0
        self.unreadable: list[Unreadable] = []
        self.odd_names: list[str] = []
        self.on_path: set[int] = set()
        self.over_count = False

    def read(self, value: Any, path: str | None, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            return self._too_many(path)
        if _scalar(value):
            return value
        kind = type(value)
        if kind is not dict and kind is not list:  # a subclass of a scalar type is a scalar: no level of its own
            try:
                if issubclass(kind, str):
                    text = str.__str__(value)
                    return text if _text(text) else self._fail(path, NOT_TEXT)
                if issubclass(kind, int):  # bool cannot be subclassed, so this is never a bool
                    number = int.__index__(value)
                    if -_INT_BOUND < number < _INT_BOUND:
                        return number
                    return self._fail(path, f"an integer of more than {MAX_INT_DIGITS} digits")
                if issubclass(kind, float):
                    return float.__float__(value)
            except Exception as exc:
                return self._fail(path, _reason(exc, "reading the value"))
        if depth >= MAX_DEPTH:
            return self._fail(path, f"nests deeper than {MAX_DEPTH} levels")
        if id(value) in self.on_path:
            return self._fail(path, "contains itself")
        self.on_path.add(id(value))
        try:
            if kind is dict:  # the common case, read without the subclass-safe detour
                return self._mapping(list(dict.items(value)), path, depth, skip_none=False)
            if kind is list:
                items = []
                for i, item in enumerate(value):
                    if _scalar(item):  # the common case, counted here rather than by a call of read
                        self.nodes += 1
                        items.append(item)
                    else:
                        items.append(self.read(item, _join(path, i), depth + 1))
                return self._counted(items, path)
            return self._container(value, kind, path, depth)
        finally:
            self.on_path.discard(id(value))

    def _container(self, value: Any, kind: type, path: str | None, depth: int) -> Any:
        try:
            if issubclass(kind, dict):
                items = list(dict.items(value))
            elif issubclass(kind, list):
                return [self.read(v, _join(path, i), depth + 1) for i, v in enumerate(list.copy(value))]
            elif issubclass(kind, tuple):
                n = tuple.__len__(value)
                return tuple(self.read(tuple.__getitem__(value, i), _join(path, i), depth + 1) for i in range(n))
            elif issubclass(kind, Mapping):
                items = list(value.items())  # a user mapping: its own code, inside this guard
            else:
                attributes = _attributes(value)
                if attributes is None:
                    return Opaque(type_name(value))
                return self._mapping(attributes, path, depth, skip_none=True)
        except Exception as exc:
            return self._fail(path, _reason(exc, "reading the value"))
        return self._mapping(items, path, depth, skip_none=False)

    def _mapping(self, items: list[tuple[Any, Any]], path: str | None, depth: int, *, skip_none: bool) -> Any:
        out: dict[str, Any] = {}
        for key, item in items:
            if type(key) is str and key.isascii() and _scalar(item):  # the common case: a plain name and value
                if not (skip_none and (item is None or key.startswith("_"))):
                    self.nodes += 1
                    out[key] = item
                continue
            name = exact_str(key)  # a str subclass's text; any other name is left out unread
            if type(name) is not str:
                self.odd_names.append(_join(path, f"<{type_name(key)} name>"))
                continue
            if not _text(name):  # no field has such a name; strict mode reports it without its text
                self.odd_names.append(_join(path, "<name that is not Unicode text>"))
                continue
            if skip_none and (item is None or name.startswith("_")):
                continue
            out[name] = self.read(item, _join(path, name), depth + 1)
        return self._counted(out, path)

    def _counted(self, value: Any, path: str | None) -> Any:
        """``value`` (a container just read), or a failure when it is the first to take what has been read past
        the count. The containers around it, and those read after it, stay as read: the failure is noted once, at
        the first place the count is passed, and the parameters around it are still an object."""
        return self._too_many(path) if self.nodes > MAX_NODES and not self.over_count else value

    def _too_many(self, path: str | None) -> Opaque:
        """The value at ``path``, read past the count (each one after it is left unread): noted once, at the
        first place the count is passed."""
        if self.over_count:
            return Opaque("unreadable")
        self.over_count = True
        return self._fail(path, f"the parameters hold more than {MAX_NODES} values")

    def _fail(self, path: str | None, reason: str) -> Opaque:
        self.unreadable.append(Unreadable(path, reason))
        return Opaque("unreadable")


def _attributes(value: object) -> list[tuple[Any, Any]] | None:
    """The instance attributes of an object with a ``__dict__`` (read inside the caller's guard), else None."""
    try:
        attributes = vars(value)
    except TypeError:
        return None
    if type(attributes) is not dict:
        attributes = dict(attributes)
    return list(dict.items(attributes))


def _plain_budget(value: dict[Any, Any] | list[Any], depth: int, budget: int) -> int:
    """What is left of ``budget`` after counting ``value`` (an exact dict or list) and everything in it, or -1
    when it holds anything but exact JSON types and string names, nests too deep or exceeds the budget.

    Only exact built-in types are looked at, through their own C methods, so no caller code runs. Counting every
    value reached (shared ones each time) counts at least what ``_Reader`` counts, so a value this accepts is one
    the reader would copy unchanged; a cycle exceeds the depth and is left to the reader to report."""
    if depth >= MAX_DEPTH:
        return -1
    budget -= len(value) + 1
    if budget < 0:
        return -1
    items: Any = value
    if type(value) is dict:
        for key in value:
            if type(key) is not str or not key.isascii():  # the reader looks at any other name
                return -1
        items = value.values()
    for item in items:
        kind = type(item)  # compared by identity, as in _scalar (inlined: this loop reads every exact request)
        if kind is dict or kind is list:
            budget = _plain_budget(item, depth + 1, budget)
            if budget < 0:
                return -1
        elif kind is str:
            if not item.isascii() and not _text(item):
                return -1
        elif kind is int:
            if not -_INT_BOUND < item < _INT_BOUND:
                return -1
        elif kind is not bool and kind is not float and item is not None:
            return -1
    return budget


def to_plain(params: object) -> Plain:
    """``params`` as plain JSON values, with every part that could not be read noted by its path.

    Parameters that already are exact JSON values (what a wire layer decodes) are returned as they are, not
    copied: nothing downstream mutates them, and the request models copy what they keep."""
    if type(params) is dict and _plain_budget(params, 0, MAX_NODES) >= 0:
        return Plain(params)
    reader = _Reader()
    value = reader.read(params, None, 0)
    return Plain(value, reader.unreadable, reader.odd_names)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400: json.loads would read it as Infinity, which no JSON text can say
        raise ValueError(f"{text[:40]} is too large a number")
    return value


def strict_json(text: str | bytes) -> Any:
    """The values of JSON text, refusing what is no JSON value: NaN, Infinity and a number too large for a
    float. Raises ValueError (``json.JSONDecodeError`` for malformed text); the CLI and the wire layer read
    every JSON text they are given through it."""
    return json.loads(text, parse_constant=_no_constant, parse_float=_finite)


def exact_str(value: object) -> object:
    """A ``str`` subclass instance as an exact ``str`` (so hashing it runs no override); anything else as is."""
    if type(value) is str:
        return value
    try:
        return str.__str__(value) if issubclass(type(value), str) else value  # type: ignore[arg-type,unused-ignore]
    except Exception:
        return value


_JSON_KINDS: dict[type, str] = {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
                                list: "an array", dict: "an object"}


def json_kind(value: object) -> str:
    """What ``value`` is in JSON's words ("null", "a string", "an array", ...), or its Python type's name with
    "(no JSON value)" for anything else: for messages to people who wrote JSON."""
    kind = type(value)
    if value is None:
        return "null"
    if kind in _JSON_KINDS:
        return _JSON_KINDS[kind]
    name = value.type_name if kind is Opaque else type_name(value)  # type: ignore[attr-defined]
    return f"{name} (no JSON value)"


def json_shown(value: object, limit: int = 60) -> str:
    """``value`` as its JSON text (``true``, ``null``, ``"text"``), shortened; a container or a value that is no
    JSON value by its kind (``an array``, ``an object``, ``set (no JSON value)``). No caller code runs."""
    kind = type(value)
    if value is None or kind is bool:
        return json.dumps(value)
    if kind is str:
        text = json.dumps(value, ensure_ascii=False)
    elif kind is int or kind is float:
        text = safe_repr(value, limit)
    else:
        return json_kind(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def safe_repr(value: object, limit: int = 60) -> str:
    """``repr`` of a plain value (shortened), or ``<type object>`` for anything else: no caller code runs."""
    plain = (type(None), bool, str, int, float, Opaque)
    try:
        text = repr(value) if type(value) in plain else f"<{type_name(value)} object>"
    except ValueError:  # an int too long to render (sys.set_int_max_str_digits)
        text = f"<{type_name(value)} too long to show>"
    return text if len(text) <= limit else text[: limit - 3] + "..."
