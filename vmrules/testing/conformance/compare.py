"""Comparing the model with a system: the id map learned as resources appear, normalization, the first difference."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from vmrules.testing.conformance.settings import VOLATILE

# Keys under which a generated value (an id or an address) sits; pairing learns from these.
_GENERATED_KEY = re.compile(r".*(Id|Ids|IpAddress|Address)\Z")
_ID = re.compile(r"(i|img|vol|port|fip|snapshot|vpc|subnet|sg|lt|ag)-[A-Za-z0-9]+\Z")

# ==== id mapping and comparison =======================================================================


class IdMap:
    """A two-way map between the model's ids (and addresses) and the system's, learned as resources appear."""

    def __init__(self, known: Mapping[str, str] | None = None) -> None:
        self.to_system: dict[str, str] = dict(known or {})
        self.to_model: dict[str, str] = {v: k for k, v in self.to_system.items()}
        # Every pair learned so far maps an id to itself (a system that keeps the reference's ids): translating
        # is then the identity, and skipped.
        self.identity = all(k == v for k, v in self.to_system.items())

    def learn(self, model_value: str, system_value: str) -> None:
        if model_value in self.to_system or system_value in self.to_model:
            return
        self.to_system[model_value] = system_value
        self.to_model[system_value] = model_value
        self.identity = self.identity and model_value == system_value

    def pair(self, model_json: Any, system_json: Any) -> None:
        """Walk two results of the same shape side by side and learn every generated value at the same place
        (ids and addresses; lists by position)."""
        for key, m, s in _parallel(model_json, system_json, ""):
            if isinstance(m, str) and isinstance(s, str) and m and s and (_GENERATED_KEY.match(key) or _ID.match(m)):
                self.learn(m, s)

    def system(self, value: Any) -> Any:
        """``value`` with the model's ids replaced by the system's."""
        return value if self.identity else _translate(value, self.to_system)

    def model(self, value: Any) -> Any:
        """``value`` with the system's ids replaced by the model's."""
        return value if self.identity else _translate(value, self.to_model)


def _parallel(m: Any, s: Any, key: str) -> Iterator[tuple[str, Any, Any]]:
    if isinstance(m, dict) and isinstance(s, dict):
        for k in m:
            if k in s:
                yield from _parallel(m[k], s[k], k)
    elif isinstance(m, list) and isinstance(s, list):
        for a, b in zip(m, s, strict=False):
            yield from _parallel(a, b, key)
    else:
        yield key, m, s


def _translate(value: Any, table: Mapping[str, str]) -> Any:
    if not table:
        return value
    if isinstance(value, str):
        if value in table:
            return table[value]
        if "/" in value:  # composite ids such as attachmentId "vol-x/i-y"
            return "/".join(table.get(part, part) for part in value.split("/"))
        return value
    if isinstance(value, list):
        return [_translate(v, table) for v in value]
    if isinstance(value, dict):
        return {k: _translate(v, table) for k, v in value.items()}
    return value


def normalized(value: Any, volatile: frozenset[str] = VOLATILE) -> Any:
    """``value`` without its volatile members (``VOLATILE`` unless given)."""
    if isinstance(value, dict):
        return {k: normalized(v, volatile) for k, v in value.items() if k not in volatile}
    if isinstance(value, list):
        return [normalized(v, volatile) for v in value]
    return value


def first_difference(a: Any, b: Any, where: str = "result",
                     volatile: frozenset[str] = frozenset()) -> tuple[str, Any, Any] | None:
    """The first place two JSON values differ: (path, a's value there, b's value there). Members named in
    ``volatile`` are left out on both sides, at every level, as ``normalized`` leaves them out; values are
    compared with their types (``true`` is not ``1``), members in the order of their names.

    Almost every comparison of a conformance run finds no difference, so the values are first compared in one
    walk that copies nothing and builds no path; only a difference pays for the copies and the path."""
    if _same(a, b, volatile):
        return None
    if volatile:
        a, b = normalized(a, volatile), normalized(b, volatile)
    return _first_difference(a, b, where)


def _same(a: Any, b: Any, volatile: frozenset[str]) -> bool:
    """Whether ``first_difference`` finds no difference between ``a`` and ``b``."""
    if isinstance(a, dict):
        if not isinstance(b, dict):
            return False
        kept = 0
        for k, x in a.items():
            if k in volatile:
                continue
            if k not in b or not _same(x, b[k], volatile):
                return False
            kept += 1
        return kept == (len(b) - len(b.keys() & volatile) if volatile else len(b))
    if isinstance(a, list):
        if not isinstance(b, list) or len(a) != len(b):
            return False
        return all(_same(x, y, volatile) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _first_difference(a: Any, b: Any, where: str) -> tuple[str, Any, Any] | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{where}.{k}", a.get(k, "<absent>"), b.get(k, "<absent>")
            found = _first_difference(a[k], b[k], f"{where}.{k}")
            if found is not None:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            found = _first_difference(x, y, f"{where}[{i}]")
            if found is not None:
                return found
        if len(a) != len(b):
            return f"{where} (length)", len(a), len(b)
        return None
    if type(a) is not type(b) or a != b:
        return where, a, b
    return None
