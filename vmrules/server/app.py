"""The emulator: one current world behind a lock, the JD Cloud REST API in front of it.

Every request runs under the lock: move the world's clock to the present, complete the tasks that have
had ``task_seconds``, apply the operation, write the state file if the world changed, swap the world in.
The immutable world makes that swap atomic, so concurrent clients never lose an update nor pass a quota.
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

from vmrules import World, advance, execute, settle
from vmrules.clock import iso
from vmrules.server.signing import AuthError, SignedRequest, verify
from vmrules.server.wire import QueryError, match, typed_params, unflatten

MAX_BODY_BYTES = 1 << 20  # API requests
MAX_ADMIN_BODY_BYTES = 64 << 20  # world snapshots loaded through PUT /admin/world
JSON = dict[str, Any]


def body_limit(path: str) -> int:
    """The largest body accepted on ``path``."""
    return MAX_ADMIN_BODY_BYTES if path.startswith("/admin/") else MAX_BODY_BYTES


@dataclass(frozen=True)
class Response:
    status: int
    body: JSON

    def encode(self) -> bytes:
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


@dataclass
class Credentials:
    """Access key → (secret key, account pin)."""

    keys: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Credentials:
        """A JSON file ``{"<accessKey>": {"secretKey": "...", "pin": "..."}, ...}``."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("credentials file must hold a JSON object keyed by access key")
        keys = {}
        for ak, entry in data.items():
            if not (isinstance(entry, dict) and isinstance(entry.get("secretKey"), str)
                    and isinstance(entry.get("pin"), str)):
                raise ValueError(f"credentials[{ak!r}] must be {{'secretKey': str, 'pin': str}}")
            keys[ak] = (entry["secretKey"], entry["pin"])
        return cls(keys)


class Emulator:
    """The server's state. ``now`` is injectable so tests can drive time; it is the only clock.

    ``frozen_clock``: the world's clock does not follow wall time; it moves only through ``POST /admin/advance``
    (tasks then complete at once with ``task_seconds`` 0, else when the clock is advanced past them or on
    ``POST /admin/settle``). Signatures are still checked against ``now``.
    """

    def __init__(self, world: World, *, task_seconds: float = 0.0, state_path: str | None = None,
                 credentials: Credentials | None = None, auth: bool = True, max_skew_seconds: int = 900,
                 now: Callable[[], float] = time.time, verbose: bool = False, frozen_clock: bool = False,
                 strict: bool = False) -> None:
        self.verbose = verbose
        self.strict = strict  # refuse parameter names the operation does not define (REQUEST.UNKNOWN_FIELD)
        self._lock = threading.Lock()
        self._now = now
        self.task_seconds = max(0.0, task_seconds) if math.isfinite(task_seconds) else float(1 << 62)
        self.state_path = state_path
        self.credentials = credentials or Credentials()
        self.auth = auth
        self.max_skew_seconds = max_skew_seconds
        self.frozen_clock = frozen_clock
        self._requests = 0
        self._world = world
        self._synced_at = now()
        self._carry = 0.0

    @property
    def world(self) -> World:
        with self._lock:
            return self._world

    def persist(self) -> None:
        """Write the current world to the state file (if any), as every accepted change does."""
        if self.state_path:
            with self._lock:
                write_atomically(self.state_path, self._world.to_dict())

    def next_request_id(self) -> str:
        with self._lock:
            self._requests += 1
            return f"vmrules-{self._requests:010d}"

    # ---- time ---------------------------------------------------------------------------------------

    def _delay(self) -> int:
        """Whole world-clock seconds a task takes (the world's clock counts whole seconds)."""
        return min(math.ceil(self.task_seconds), 1 << 62)

    def _sync(self) -> World:
        """Advance the world's clock by the wall time since the last request; complete the tasks that are due."""
        now = self._now()
        if not self.frozen_clock:
            self._carry += max(0.0, now - self._synced_at)
        self._synced_at = now
        whole = int(self._carry)
        world = self._world
        if whole:
            self._carry -= whole
            world = advance(world, whole)
        return self._complete_due(world)

    def _complete_due(self, world: World) -> World:
        if not world.tasks:
            return world
        if self._delay() <= 0:
            return settle(world)
        return settle(world, started_by=world.clock - self._delay())

    def _commit(self, world: World) -> None:
        if world is not self._world and self.state_path:
            write_atomically(self.state_path, world.to_dict())
        self._world = world

    # ---- requests -----------------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes) -> Response:
        """Answer one HTTP request (headers with lower-case names). Never raises: a failure inside the engine
        or the server becomes a 500 INTERNAL envelope (and a line on stderr), and the world is left as it was."""
        request_id = self.next_request_id()
        try:
            return self._handle(method, path, query, headers, body, request_id)
        except Exception as exc:  # a bug, or the state file cannot be written: nothing was accepted
            print(f"vmrules serve: internal error on {method} {path}: {exc!r}", file=sys.stderr)
            return _error(request_id, 500, "INTERNAL", "internal error; the request was not applied")

    def _handle(self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes,
                request_id: str) -> Response:
        if len(body) > body_limit(path):
            return _error(request_id, 413, "INVALID_ARGUMENT", f"the body is larger than {body_limit(path)} bytes")
        if path.startswith("/admin/"):
            return self._admin(method, path, body, request_id)
        if path == "/openapi.json" and method == "GET":
            from vmrules.schema import openapi_document  # the document this emulator answers to

            return Response(200, openapi_document())
        found = match(method, path)
        if found == "not-found":
            return _error(request_id, 404, "NOT_FOUND", f"no API path {path[:200]}")
        if found == "method-not-allowed":
            return _error(request_id, 405, "METHOD_NOT_ALLOWED", f"{method} is not allowed on {path[:200]}")
        assert not isinstance(found, str)
        route, raw_path_params = found
        caller: str | None = None
        if self.auth:
            try:
                ak = verify(SignedRequest(method, path, query, headers, body), self._secret_for,
                            datetime.fromtimestamp(self._now(), UTC), self.max_skew_seconds)
            except AuthError as exc:
                return _error(request_id, 401, "UNAUTHENTICATED", str(exc))
            caller = self.credentials.keys[ak][1]
        else:
            caller = headers.get("x-vmrules-caller") or None
        params = self._params(route.operation, method, query, body)
        if isinstance(params, str):
            return _error(request_id, 400, "INVALID_ARGUMENT", params)
        params.update({name: unquote(value) for name, value in raw_path_params.items()})
        with self._lock:
            world = self._sync()
            outcome = execute(world, route.operation.name, params, caller=caller, strict=self.strict)
            new_world = outcome.world
            if outcome.ok and self._delay() <= 0 and new_world.tasks:
                new_world = settle(new_world)
            self._commit(new_world)
        envelope = outcome.to_response(request_id)
        return Response(outcome.error.code if outcome.error else 200, envelope)

    def _secret_for(self, access_key: str) -> str | None:
        entry = self.credentials.keys.get(access_key)
        return entry[0] if entry else None

    def _params(self, operation: Any, method: str, query: str, body: bytes) -> JSON | str:
        if method in ("GET", "DELETE"):
            try:
                params = unflatten(parse_qsl(query, keep_blank_values=True, strict_parsing=False))
            except (QueryError, ValueError) as exc:
                return f"bad query string: {exc}"
            return typed_params(operation, params)
        data = _json_body(body)
        if isinstance(data, str):
            return data
        if data is None:
            return {}
        if not isinstance(data, dict):
            return "the body must be a JSON object"
        return data

    # ---- admin --------------------------------------------------------------------------------------

    def _admin(self, method: str, path: str, body: bytes, request_id: str) -> Response:
        allowed = _ADMIN.get(path)
        if allowed is None:
            return _error(request_id, 404, "NOT_FOUND", f"no admin endpoint {path[:200]}")
        if method not in allowed:
            return _error(request_id, 405, "METHOD_NOT_ALLOWED", f"{method} is not allowed on {path}")
        if path == "/admin/world" and method == "GET":
            with self._lock:
                world = self._sync()
                self._commit(world)
            return Response(200, {"requestId": request_id, "result": world.to_dict()})
        if path == "/admin/world":
            data = _json_body(body)
            if isinstance(data, str):
                return _error(request_id, 400, "INVALID_ARGUMENT", data)
            try:
                world = World.from_dict(data)
            except (ValueError, TypeError, RecursionError) as exc:
                return _error(request_id, 400, "INVALID_ARGUMENT", f"not a world snapshot: {exc}")
            with self._lock:
                self._synced_at = self._now()
                self._carry = 0.0
                self._commit(world)
            return Response(200, {"requestId": request_id, "result": {}})
        if path == "/admin/settle":
            with self._lock:
                self._commit(settle(self._sync()))
            return Response(200, {"requestId": request_id, "result": {}})
        # POST /admin/advance {"seconds": N}
        data = _json_body(body)
        seconds = data.get("seconds") if isinstance(data, dict) else None
        if isinstance(seconds, bool) or not isinstance(seconds, int) or not 0 <= seconds <= 1 << 40:
            return _error(request_id, 400, "INVALID_ARGUMENT",
                          'the body must be {"seconds": N} with N a whole number of seconds, 0 or more')
        with self._lock:
            world = self._complete_due(advance(self._sync(), seconds))
            self._commit(world)
        return Response(200, {"requestId": request_id, "result": {"clock": iso(world.clock)}})


_ADMIN: dict[str, frozenset[str]] = {
    "/admin/world": frozenset({"GET", "PUT", "POST"}),
    "/admin/settle": frozenset({"POST"}),
    "/admin/advance": frozenset({"POST"}),
}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _json_body(body: bytes) -> Any:
    """The JSON value of ``body`` (None when empty), or a message saying why it is not JSON."""
    if not body.strip():
        return None
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError as exc:
        return f"the body is not UTF-8: {exc}"
    except ValueError as exc:
        return f"the body is not JSON: {exc}"
    except RecursionError:
        return "the body is not JSON this server can read: it nests too deeply"


def _error(request_id: str, code: int, status: str, message: str) -> Response:
    return Response(code, {"requestId": request_id, "error": {"code": code, "status": status, "message": message}})


def write_atomically(path: str | os.PathLike[str], data: JSON) -> None:
    """Write JSON so that a crash leaves either the old or the new file, never a torn one."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(target.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
