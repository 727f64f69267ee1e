"""Responses in JD Cloud's envelope (``{"requestId", "result"}`` or ``{"requestId", "error": {code, status,
message}}``) and reading JSON request bodies."""

from __future__ import annotations

import json
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from vmrules.plain import strict_json

JSON = dict[str, Any]


@dataclass(frozen=True)
class Response:
    """A transport-neutral response: the HTTP status and the JSON envelope."""

    status: int
    body: JSON
    # The methods a path does answer, sent as the Allow header of a 405 (RFC 9110 section 15.5.6).
    allow: tuple[str, ...] = ()

    def encode(self) -> bytes:
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")

    def headers(self) -> dict[str, str]:
        """The headers JD Cloud sends with it (the request id, as the SDK reads it for HEAD responses)."""
        headers = {"Content-Type": "application/json; charset=utf-8"}
        request_id = self.body.get("requestId", "")
        if request_id:
            headers["x-jdcloud-request-id"] = str(request_id)
        if self.allow:
            headers["Allow"] = ", ".join(self.allow)
        return headers


_REASONS = {status.value: status.phrase for status in HTTPStatus}


def reason_phrase(status: int) -> str:
    """The reason phrase a server sends beside ``status`` in its status line (``Not Found``; empty for a code
    that has none), for every shell that answers over HTTP or as ``requests`` would."""
    return _REASONS.get(status, "")


def error_response(request_id: str, code: int, status: str, message: str) -> Response:
    return Response(code, {"requestId": request_id, "error": {"code": code, "status": status, "message": message}})


@dataclass(frozen=True, slots=True)
class NotJson:
    """Why a body is not a JSON value (kept apart from a body that is a JSON string)."""

    reason: str


NO_BODY = NotJson("the body is empty")  # what json_body returns for an empty body (no parameters)


def json_body(body: bytes) -> Any:
    """The JSON value of ``body``: ``NO_BODY`` when it is empty, a ``NotJson`` saying why when it is no JSON."""
    if not body.strip():
        return NO_BODY
    try:
        return strict_json(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return NotJson(f"the body is not UTF-8: {exc}")
    except ValueError as exc:
        return NotJson(f"the body is not JSON: {exc}")
    except RecursionError:
        return NotJson("the body is not JSON this server can read: it nests too deeply")
