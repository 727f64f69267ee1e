"""One API request through the wire layer: route, authenticate, read the parameters, run, answer the envelope.

Transport-neutral: the emulator's HTTP shell and the in-process SDK mock both hand a ``WireRequest`` (method,
raw path, raw query string, lower-cased headers, body bytes) to ``answer`` and get a ``Response`` back. What the
request changes is the shell's business: ``answer`` calls the shell's ``Run`` with the operation name, the
parameters and the caller, and the shell applies it to its world (under its lock, with its clock and tasks).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import parse_qsl

from vmrules.operation import Operation, Outcome
from vmrules.wire.envelope import JSON, NO_BODY, NotJson, Response, error_response, json_body
from vmrules.wire.nonces import NonceMemory
from vmrules.wire.query import QueryError, typed_params, unflatten
from vmrules.wire.routes import Undefined, allowed_methods, match
from vmrules.wire.signing import AuthError, NoncesExhausted, SignedRequest, Unchecked, verify

MAX_BODY_BYTES = 1 << 20  # API request bodies


def body_too_large(size: int, limit: int) -> str:
    """The message of a 413, the same from the emulator's HTTP shell (which refuses by Content-Length before
    reading) and from the wire layer (which the mock reaches with the body in hand)."""
    return f"the body has {size} bytes; at most {limit} are accepted"
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
    """How signed requests are checked: access key → (secret key, account pin), the allowed clock skew, the
    shell's clock (seconds since the epoch) and the shell's memory of accepted nonces.

    A secret of None accepts the key's signatures without checking the HMAC (the mock's keys given as pins
    only); ``any_key`` lets unknown keys act, so checked, as the world's default account."""

    keys: Mapping[str, tuple[str | None, str]]
    max_skew_seconds: int
    now: Callable[[], float]
    nonces: NonceMemory
    any_key: bool = False

    def caller(self, request: WireRequest) -> str | None:
        """The pin of the account whose key signed ``request`` (None: the default account); ``AuthError`` or
        ``NoncesExhausted`` when it is not accepted."""
        signed = SignedRequest(request.method, request.path, request.query, request.headers, request.body)
        access_key = verify(signed, self._secret_for, datetime.fromtimestamp(self.now(), UTC),
                            self.max_skew_seconds, self.nonces)
        entry = self.keys.get(access_key)
        return entry[1] if entry else None

    def _secret_for(self, access_key: str) -> str | Unchecked | None:
        entry = self.keys.get(access_key)
        if entry is None:
            return Unchecked.SECRET_UNKNOWN if self.any_key else None
        return Unchecked.SECRET_UNKNOWN if entry[0] is None else entry[0]


def answer(request: WireRequest, request_id: str, run: Run, auth: Authenticator | None) -> Response:
    """The response to one API request (``/v1/...``). ``auth`` None: signatures are not checked and the caller is
    the ``x-vmrules-caller`` header (or the world's default account)."""
    method, path = request.method, request.path
    if len(request.body) > MAX_BODY_BYTES:
        return error_response(request_id, 413, "INVALID_ARGUMENT", body_too_large(len(request.body), MAX_BODY_BYTES))
    found = match(method, path)
    if found == "not-found":
        return error_response(request_id, 404, "NOT_FOUND", f"no API path {path[:200]}")
    if found == "method-not-allowed":
        refused = error_response(request_id, 405, "METHOD_NOT_ALLOWED", f"{method} is not allowed on {path[:200]}")
        return replace(refused, allow=allowed_methods(path))
    if isinstance(found, Undefined):
        return error_response(request_id, 501, "NOT_IMPLEMENTED",
                              f"{found.operation} is an operation of the official SDK that the VM API v1 reference "
                              "does not define")
    route, path_params = found
    caller: str | None
    if auth is not None:
        try:
            caller = auth.caller(request)
        except NoncesExhausted as exc:
            return error_response(request_id, 429, "RATE_LIMIT_EXCEEDED", str(exc))
        except AuthError as exc:
            return error_response(request_id, 401, "UNAUTHENTICATED", str(exc))
    else:
        caller = request.headers.get(CALLER_HEADER) or None
    params = read_params(route.operation, method, request.query, request.body)
    if isinstance(params, str):
        return error_response(request_id, 400, "INVALID_ARGUMENT", params)
    params.update(path_params)
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
    if data is NO_BODY:
        return {}
    if isinstance(data, NotJson):
        return data.reason
    if not isinstance(data, dict):  # null, a string, a number, a list: none of them names a parameter
        return "the body must be a JSON object"
    return data
