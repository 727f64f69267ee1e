"""Routes of the VM API v1: which operation a (method, path) names, and the path parameters in it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from vmrules.operation import Operation
from vmrules.operations import OPERATION_TABLE

API_PREFIX = "/v1"


@dataclass(frozen=True)
class Route:
    operation: Operation[Any, Any]
    method: str
    pattern: re.Pattern[str]


def _compile(path: str) -> re.Pattern[str]:
    regex = re.escape(API_PREFIX + path)
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/:?]+)", regex)
    return re.compile(f"^{regex}$")


ROUTES: tuple[Route, ...] = tuple(
    Route(op, op.method, _compile(op.path)) for op in OPERATION_TABLE.values()
)

Miss = Literal["not-found", "method-not-allowed"]


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | Miss:
    """The route and path parameters for (method, path), or ``"not-found"`` / ``"method-not-allowed"``."""
    allowed = False
    for route in ROUTES:
        m = route.pattern.match(path)
        if m is None:
            continue
        if route.method == method:
            return route, m.groupdict()
        allowed = True
    return "method-not-allowed" if allowed else "not-found"
