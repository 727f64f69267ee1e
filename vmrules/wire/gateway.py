"""One API request through the wire layer: route, authenticate, read the parameters, run, answer the envelope.

Transport-neutral: the emulator's HTTP shell and the in-process SDK mock both hand a ``WireRequest`` (method,
raw path, raw query string, lower-cased headers, body bytes) to ``answer`` and get a ``Response`` back. What the
request changes is the shell's business: ``answer`` calls the shell's ``Run`` with the operation name, the
parameters and the caller, and the shell applies it to its world (under its lock, with its clock and tasks).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote

from vmrules.operation import Operation, Outcome
from vmrules.wire.envelope import JSON, Response, error_response, json_body
from vmrules.wire.query import QueryError, typed_params, unflatten
from vmrules.wire.routes import match
from vmrules.wire.signing import AuthError, SignedRequest, verify

MAX_BODY_BYTES = 1 << 20  # API request bodies
CALLER_HEADER = "x-vmrules-caller"  # the acting account when signatures are not checked


@dataclass(frozen=True)
class WireRequest:
    method: str
    path: str  # as sent, percent-encoded
    query: str  # as sent, without the "?"
    headers: Mapping[str, str]  # lower-case names
    body: bytes


class Run(Protocol):
    """The shell's way of applying an operation to its current world."""

    def __call__(self, operation: str, params: JSON, caller: str | None) -> Outcome: ...


@dataclass(frozen=True)
class Authenticator:
    """How signed requests are checked: access key → (secret key, account pin), the allowed clock skew, and the
    shell's clock (seconds since the epoch)."""

    keys: Mapping[str, tuple[str, str]]
    max_skew_seconds: int
    now: Callable[[], float]

    def caller(self, request: WireRequest) -> str:
        """The pin of the account whose key signed ``request``; ``AuthError`` when it is not accepted."""
        signed = SignedRequest(request.method, request.path, request.query, request.headers, request.body)
        access_key = verify(signed, self._secret_for, datetime.fromtimestamp(self.now(), UTC),
                            self.max_skew_seconds)
        return self.keys[access_key][1]

    def _secret_for(self, access_key: str) -> str | None:
        entry = self.keys.get(access_key)
        return entry[0] if entry else None


def answer(request: WireRequest, request_id: str, run: Run, auth: Authenticator | None) -> Response:
    """The response to one API request (``/v1/...``). ``auth`` None: signatures are not checked and the caller is
    the ``x-vmrules-caller`` header (or the world's default account)."""
    method, path = request.method, request.path
    if len(request.body) > MAX_BODY_BYTES:
        return error_response(request_id, 413, "INVALID_ARGUMENT", f"the body is larger than {MAX_BODY_BYTES} bytes")
    found = match(method, path)
    if found == "not-found":
        return error_response(request_id, 404, "NOT_FOUND", f"no API path {path[:200]}")
    if found == "method-not-allowed":
        return error_response(request_id, 405, "METHOD_NOT_ALLOWED", f"{method} is not allowed on {path[:200]}")
    route, raw_path_params = found
    caller: str | None
    if auth is not None:
        try:
            caller = auth.caller(request)
        except AuthError as exc:
            return error_response(request_id, 401, "UNAUTHENTICATED", str(exc))
    else:
        caller = request.headers.get(CALLER_HEADER) or None
    params = read_params(route.operation, method, request.query, request.body)
    if isinstance(params, str):
        return error_response(request_id, 400, "INVALID_ARGUMENT", params)
    params.update({name: unquote(value) for name, value in raw_path_params.items()})
    outcome = run(route.operation.name, params, caller)
    return Response(outcome.error.code if outcome.error else 200, outcome.to_response(request_id))


def read_params(operation: Operation[Any, Any], method: str, query: str, body: bytes) -> JSON | str:
    """The wire parameters of a request (query string for GET/DELETE, JSON body otherwise), or why not."""
    if method in ("GET", "DELETE"):
        try:
            params = unflatten(parse_qsl(query, keep_blank_values=True, strict_parsing=False))
        except (QueryError, ValueError) as exc:
            return f"bad query string: {exc}"
        return typed_params(operation, params)
    data = json_body(body)
    if isinstance(data, str):
        return data
    if data is None:
        return {}
    if not isinstance(data, dict):
        return "the body must be a JSON object"
    return data
