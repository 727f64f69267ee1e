"""Reading and writing the CLI's files. Every problem with a file becomes an ``InputError`` whose message is the
one line the command prints on stderr before exiting with status 2."""

from __future__ import annotations

import json
import sys
from typing import Any

from vmrules.plain import strict_json
from vmrules.snapshot import SnapshotError
from vmrules.world import World


class InputError(Exception):
    """A bad input (or output) file: missing, unreadable, not JSON, or not of the expected shape."""


def json_type(value: object) -> str:
    """The JSON name of a parsed value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def parse_json(text: str) -> Any:
    """Strict JSON (no NaN or Infinity, nor a number too large to be anything else). Raises ValueError with a
    short reason."""
    try:
        return strict_json(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None


def read_text(path: str) -> str:
    """The text of ``path`` (UTF-8, a byte-order mark allowed); ``-`` reads standard input."""
    name = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as handle:
                data = handle.read()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory, not a file") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (byte {exc.start})") from None


def read_json(path: str) -> Any:
    """The JSON value in ``path`` (``-``: standard input)."""
    text = read_text(path)
    name = "<stdin>" if path == "-" else path
    try:
        return parse_json(text)
    except ValueError as exc:
        raise InputError(f"{name}: not JSON: {exc}") from None


def read_request(path: str) -> dict[str, Any]:
    """A request file: one JSON object of wire parameters."""
    value = read_json(path)
    if not isinstance(value, dict):
        name = "<stdin>" if path == "-" else path
        raise InputError(f"{name}: a request must be a JSON object of parameters, got {json_type(value)}")
    return value


def load_world(path: str | None) -> World:
    """The world in snapshot file ``path``, or the embedded default world when ``path`` is None."""
    if path is None:
        return World.default()
    data = read_json(path)
    name = "<stdin>" if path == "-" else path
    try:
        return World.from_dict(data)
    except SnapshotError as exc:
        raise InputError(f"{name}: not a world snapshot: {exc}") from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        # World.from_dict promises SnapshotError; anything else still must not reach the user as a traceback.
        raise InputError(f"{name}: not a world snapshot: {type(exc).__name__}: {exc}") from None


def dumps(value: object, *, indent: int | None = 2) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=False)


def write_json(path: str, value: object) -> None:
    """Write ``value`` as indented JSON to ``path``."""
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(dumps(value))
            handle.write("\n")
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from None
