"""The emulator: one current world behind a lock, the JD Cloud REST API in front of it.

Every request runs under the lock: move the world's clock to the present, complete the tasks that have
had ``task_seconds``, apply the operation (one ``journal.Entry``), append the entry to the store if the world
changed, swap the world in. The immutable world makes that swap atomic, so concurrent clients never lose an
update nor pass a quota. The admin API (``/admin/*``) is here too: who may call it, and what it does.
"""

from __future__ import annotations

import json
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from vmrules import World
from vmrules.clock import iso
from vmrules.engine import advance_refusal
from vmrules.operation import Outcome
from vmrules.schema import openapi_document
from vmrules.server.journal import Applied, Entry, Kind, apply
from vmrules.server.store import Store, pack
from vmrules.wire import (
    MAX_BODY_BYTES,
    Authenticator,
    NonceMemory,
    Response,
    WireRequest,
    answer,
    body_too_large,
)
from vmrules.wire import error_response as _error
from vmrules.wire import json_body as _json_body
from vmrules.wire.envelope import NO_BODY, NotJson
from vmrules.wire.signing import AuthError

# A 100,000-instance world is ~170 MB of JSON; 512 MiB leaves room for three times that, and bounds what one
# request can make the server hold in memory (a few GB once parsed).
MAX_WORLD_BODY_BYTES = 512 << 20  # PUT /admin/world
MAX_ADMIN_BODY_BYTES = 64 << 10  # the other admin endpoints ({"seconds": N} or nothing)
STREAM_CHUNK = 1 << 16
JSON = dict[str, Any]


def admin_body_limit(path: str) -> int:
    return MAX_WORLD_BODY_BYTES if path == "/admin/world" else MAX_ADMIN_BODY_BYTES


def body_limit(path: str) -> int:
    """The largest body accepted on ``path``."""
    return admin_body_limit(path) if path.startswith("/admin/") else MAX_BODY_BYTES


@dataclass
class Credentials:
    """Access key → (secret key, account pin); ``admin``: the keys that may call ``/admin/*`` in signed mode."""

    keys: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    admin: frozenset[str] = frozenset()

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Credentials:
        """A JSON file ``{"<accessKey>": {"secretKey": "...", "pin": "...", "admin": true}, ...}``; ``admin`` is
        optional (default false), and an admin key may have no ``pin`` (it then calls only the admin API)."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("credentials file must hold a JSON object keyed by access key")
        keys, admin = {}, set()
        for ak, entry in data.items():
            if not (isinstance(entry, dict) and isinstance(entry.get("secretKey"), str)
                    and isinstance(entry.get("admin", False), bool)
                    and (isinstance(entry.get("pin"), str) or ("pin" not in entry and entry.get("admin")))):
                raise ValueError(f"credentials[{ak!r}] must be {{'secretKey': str, 'pin': str, 'admin': bool}} "
                                 "(pin optional for an admin key)")
            keys[ak] = (entry["secretKey"], entry.get("pin", ""))
            if entry.get("admin", False):
                admin.add(ak)
        return cls(keys, frozenset(admin))


class Emulator:
    """The server's state. ``now`` is injectable so tests can drive time; it is the only clock.

    Every change of the world is a ``journal.Entry`` made by ``journal.apply`` under the lock, appended to the
    ``store`` (when there is one) before the new world is swapped in and the response sent.

    ``frozen_clock``: the world's clock does not follow wall time; it moves only through ``POST /admin/advance``
    (tasks then complete at once with ``task_seconds`` 0, else when the clock is advanced past them or on
    ``POST /admin/settle``). Signatures are still checked against ``now``.

    ``allowed_hosts``: the Host header values accepted (None: not checked, for in-process use); the HTTP shell
    sets it to the listen address.
    """

    def __init__(self, world: World, *, task_seconds: float = 0.0, store: Store | None = None,
                 credentials: Credentials | None = None, auth: bool = True, max_skew_seconds: int = 900,
                 now: Callable[[], float] = time.time, verbose: bool = False, frozen_clock: bool = False,
                 allowed_hosts: frozenset[str] | None = None, body_seconds: float = 30.0,
                 strict: bool = False) -> None:
        self.verbose = verbose
        self.body_seconds = body_seconds  # a request's whole body must arrive within this (the HTTP shell)
        self.strict = strict  # refuse parameter names the operation does not define (REQUEST.UNKNOWN_FIELD)
        self._lock = threading.Lock()
        self._now = now
        self.task_seconds = max(0.0, task_seconds) if math.isfinite(task_seconds) else float(1 << 62)
        self.store = store
        self.credentials = credentials or Credentials()
        self.auth = auth
        self.max_skew_seconds = max_skew_seconds
        self.frozen_clock = frozen_clock
        self.allowed_hosts = allowed_hosts
        self._nonces = NonceMemory()  # one memory for API and admin requests: a nonce is spent once
        self._requests = 0
        self._world = world
        self._synced_at = now()
        self._carry = 0.0
        # API calls: keys with an account. Admin calls: every key, its "account" being the key itself.
        self._api_keys = {ak: entry for ak, entry in self.credentials.keys.items() if entry[1]}
        self._admin_keys = {ak: (entry[0], ak) for ak, entry in self.credentials.keys.items()}

    @property
    def world(self) -> World:
        with self._lock:
            return self._world

    def next_request_id(self) -> str:
        with self._lock:
            self._requests += 1
            return f"vmrules-{self._requests:010d}"

    # ---- time and changes (under the lock) ----------------------------------------------------------

    def _delay(self) -> int:
        """Whole world-clock seconds a task takes (the world's clock counts whole seconds)."""
        return min(math.ceil(self.task_seconds), 1 << 62)

    def _arrival_clock(self) -> int:
        """The world's clock now: advanced by the wall time since the last request (fractions carried over)."""
        now = self._now()
        if not self.frozen_clock:
            self._carry += max(0.0, now - self._synced_at)
        self._synced_at = now
        whole = int(self._carry)
        self._carry -= whole
        return self._world.clock + whole

    def _change(self, kind: Kind, request_id: str, **fields: Any) -> Applied:
        """Make one entry at the present clock, apply it, log what it changed (``Applied.logged``), swap."""
        entry = Entry(kind, self._arrival_clock(), self._delay(), request_id, **fields)
        applied = apply(self._world, entry, strict=self.strict)
        if applied.logged is not None and self.store is not None:
            self.store.append(applied.logged, applied.world)  # a failure here leaves the world as it was: a 500
        self._world = applied.world
        return applied

    # ---- requests -----------------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: str, headers: Mapping[str, str],
               body: bytes) -> Response | StreamedResponse:
        """Answer one HTTP request (headers with lower-case names). Never raises: a failure inside the engine
        or the server becomes a 500 INTERNAL envelope (and a line on stderr), and the world is left as it was."""
        request_id = self.next_request_id()
        try:
            return self._handle(method, path, query, headers, body, request_id)
        except Exception as exc:  # a bug, or the state cannot be written: nothing was accepted
            print(f"vmrules serve: internal error on {method} {path}: {exc!r}", file=sys.stderr)
            return _error(request_id, 500, "INTERNAL", "internal error; the request was not applied")

    def _handle(self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes,
                request_id: str) -> Response | StreamedResponse:
        if self.allowed_hosts is not None and headers.get("host", "").lower() not in self.allowed_hosts:
            return _error(request_id, 421, "INVALID_ARGUMENT",
                          f"Host {headers.get('host', '')[:100]!r} is not this server's address; "
                          f"use one of {sorted(self.allowed_hosts)} (or start it with --allow-host)")
        request = WireRequest(method, path, query, headers, body)
        if path.startswith("/admin/"):
            return self._admin(request, request_id)
        if path == "/openapi.json" and method == "GET":
            return Response(200, openapi_document())
        auth = (Authenticator(self._api_keys, self.max_skew_seconds, self._now, self._nonces)
                if self.auth else None)

        def run(operation: str, params: JSON, caller: str | None) -> Outcome:
            with self._lock:
                outcome = self._change("call", request_id, operation=operation, params=params,
                                       caller=caller).outcome
            assert outcome is not None
            return outcome

        return answer(request, request_id, run, auth)
    # ---- admin --------------------------------------------------------------------------------------

    def _admin(self, request: WireRequest, request_id: str) -> Response | StreamedResponse:
        method, path, body = request.method, request.path, request.body
        allowed = _ADMIN.get(path)
        if allowed is None:
            return _error(request_id, 404, "NOT_FOUND", f"no admin endpoint {path[:200]}")
        if method not in allowed:  # with its Allow header, as the API's own 405s (RFC 9110 section 15.5.6)
            refused = _error(request_id, 405, "METHOD_NOT_ALLOWED", f"{method} is not allowed on {path}")
            return replace(refused, allow=tuple(sorted(allowed)))
        if self.auth:
            try:
                access_key = Authenticator(self._admin_keys, self.max_skew_seconds, self._now,
                                           self._nonces).caller(request)
            except AuthError as exc:
                return _error(request_id, 401, "UNAUTHENTICATED", f"admin requests must be signed: {exc}")
            if access_key is None or access_key not in self.credentials.admin:
                return _error(request_id, 403, "PERMISSION_DENIED",
                              f"access key {access_key} is not an admin key (mark it \"admin\": true in the "
                              "credentials file)")
        if method != "GET":
            media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
            if media_type != "application/json":
                return _error(request_id, 415, "INVALID_ARGUMENT",
                              f"admin requests carry Content-Type application/json, not {media_type[:60]!r}")
        if len(body) > admin_body_limit(path):
            return _error(request_id, 413, "INVALID_ARGUMENT",
                          body_too_large(len(body), admin_body_limit(path)))
        if path == "/admin/world" and method == "GET":
            with self._lock:
                world = self._change("sync", request_id).world
            return StreamedResponse(200, request_id, world)
        if path == "/admin/world":
            return self._replace_world(body, request_id)
        if path == "/admin/settle":
            with self._lock:
                self._change("settle", request_id)
            return Response(200, {"requestId": request_id, "result": {}})
        # POST /admin/advance {"seconds": N}
        data = _json_body(body)
        seconds = data.get("seconds") if isinstance(data, dict) else None
        if isinstance(seconds, bool) or not isinstance(seconds, int) or not 0 <= seconds <= 1 << 40:
            return _error(request_id, 400, "INVALID_ARGUMENT",
                          'the body must be {"seconds": N} with N a whole number of seconds, 0 or more')
        with self._lock:
            refusal = advance_refusal(self._world, seconds)
            if refusal is not None:
                return _error(request_id, 400, "INVALID_ARGUMENT", refusal)
            world = self._change("advance", request_id, seconds=seconds).world
        return Response(200, {"requestId": request_id, "result": {"clock": iso(world.clock)}})

    def _replace_world(self, body: bytes, request_id: str) -> Response:
        """Parse and check the snapshot (and pack it for the store) outside the lock; swap it in under it."""
        data = _json_body(body)
        if isinstance(data, NotJson) and data is not NO_BODY:
            return _error(request_id, 400, "INVALID_ARGUMENT", data.reason)
        try:
            world = World.from_dict(None if data is NO_BODY else data)
        except (ValueError, TypeError, RecursionError) as exc:
            return _error(request_id, 400, "INVALID_ARGUMENT", f"not a world snapshot: {str(exc)[:2000]}")
        packed = pack(world) if self.store is not None else b""
        with self._lock:
            if self.store is not None:
                self.store.replace(packed)
            self._synced_at = self._now()
            self._carry = 0.0
            self._world = world
        return Response(200, {"requestId": request_id, "result": {}})


class StreamedResponse:
    """``{"requestId": ..., "result": <world snapshot>}`` encoded piece by piece as it is sent, never as one
    string (a 100,000-instance world is ~170 MB of JSON)."""

    def __init__(self, status: int, request_id: str, world: World) -> None:
        self.status = status
        self.request_id = request_id
        self._world = world

    def chunks(self) -> Iterator[bytes]:
        encoder = json.JSONEncoder(ensure_ascii=False)
        yield b'{"requestId": ' + json.dumps(self.request_id).encode() + b', "result": '
        buffer: list[str] = []
        size = 0
        for piece in encoder.iterencode(self._world.to_dict()):
            buffer.append(piece)
            size += len(piece)
            if size >= STREAM_CHUNK:
                yield "".join(buffer).encode("utf-8")
                buffer, size = [], 0
        buffer.append("}")
        yield "".join(buffer).encode("utf-8")

    def encode(self) -> bytes:
        """The whole envelope at once (for in-process callers and tests)."""
        return b"".join(self.chunks())

    @property
    def body(self) -> JSON:
        """The whole envelope as a value (for in-process callers and tests)."""
        value = json.loads(self.encode())
        assert isinstance(value, dict)
        return value


_ADMIN: dict[str, frozenset[str]] = {
    "/admin/world": frozenset({"GET", "PUT", "POST"}),
    "/admin/settle": frozenset({"POST"}),
    "/admin/advance": frozenset({"POST"}),
}


__all__ = ["MAX_ADMIN_BODY_BYTES", "MAX_BODY_BYTES", "MAX_WORLD_BODY_BYTES", "Credentials", "Emulator", "Response",
           "StreamedResponse", "admin_body_limit", "body_limit"]
