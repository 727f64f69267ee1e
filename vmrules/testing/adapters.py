"""Adapters between the conformance kit and a system under test.

An adapter is three methods (``SystemAdapter``): ``call`` sends one API request and returns the response
envelope, ``settle`` waits until the system has no task in progress, ``reset`` brings it to a world snapshot
(or returns False when it cannot, and the kit then builds its starting state through the API alone).

Three optional methods widen what the kit does (docs/conformance.md): ``advance(seconds)`` moves the system's
clock (the kit then also drives prepaid expiry and VNC URL expiry), ``carries(operation, params)`` says
whether the system's transport can carry a request faithfully (the HTTP adapter cannot send a number as a
path segment or an empty list in a query string; the kit skips such requests instead of reporting the
transport's loss as a divergence), and ``resources()`` returns the system's own view of its disks, network
interfaces and elastic IPs — the disk and VPC services' side, which the VM API shows only through the
instances — as the ``disks``, ``networkInterfaces`` and ``elasticIps`` sections of a world snapshot
(``resource_view`` makes them from a ``World``): the kit then compares them with the reference's after every
settle. Without it, the kit probes them indirectly (attaching a deleted instance's disks elsewhere, ...).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, Self, runtime_checkable
from urllib.parse import quote

from vmrules import World, advance, execute, settle
from vmrules.operations import OPERATION_TABLE
from vmrules.server.process import ServerProcess, serve_args
from vmrules.testing.connections import Origin, StaleConnection

JSON = dict[str, Any]


@runtime_checkable
class SystemAdapter(Protocol):
    def call(self, operation: str, params: JSON, caller: str) -> JSON:
        """Send one request as ``caller``; return ``{"requestId", "result"}`` or ``{"requestId", "error"}``."""
        ...

    def settle(self) -> None:
        """Return once the system has no task in progress."""
        ...

    def reset(self, snapshot: JSON) -> bool:
        """Bring the system to the world ``snapshot``; False when it cannot."""
        ...


def close_adapter(adapter: object) -> None:
    """Call the adapter's optional ``close()`` (an ``HttpAdapter`` closes its connections): the kit calls this
    on every adapter it made once it is done with it."""
    close = getattr(adapter, "close", None)
    if callable(close):
        close()


# The snapshot sections an adapter's optional ``resources()`` returns, and the id key of their entries.
RESOURCE_SECTIONS = (("disks", "diskId"), ("networkInterfaces", "networkInterfaceId"), ("elasticIps", "elasticIpId"))


def resource_view(world: World) -> JSON:
    """The ``disks``, ``networkInterfaces`` and ``elasticIps`` sections of ``world``'s snapshot: what an
    adapter's optional ``resources()`` returns for a system whose state is a ``World``."""
    snapshot = world.to_dict()
    return {section: snapshot[section] for section, _ in RESOURCE_SECTIONS}


class InProcessAdapter:
    """The reference engine itself as a system under test (the kit's self-test runs against it)."""

    def __init__(self, world: World | None = None) -> None:
        self.world = world if world is not None else World.default()
        self._requests = 0

    def call(self, operation: str, params: JSON, caller: str) -> JSON:
        self._requests += 1
        outcome = execute(self.world, operation, params, caller=caller)
        self.world = outcome.world
        return outcome.to_response(f"inproc-{self._requests}")

    @property
    def requests(self) -> int:
        """How many calls this system has answered (what a kit run cost it)."""
        return self._requests

    def settle(self) -> None:
        self.world = settle(self.world)

    def reset(self, snapshot: JSON) -> bool:
        self.world = World.from_dict(snapshot)
        return True

    def advance(self, seconds: int) -> None:
        self.world = advance(self.world, seconds)


def flatten_query(params: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """The API's query flattening: lists 1-based (``ids.1=a``), objects dotted (``filters.1.name=x``)."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        name = f"{prefix}{key}"
        if value is None:
            continue
        if isinstance(value, list):
            for i, item in enumerate(value, start=1):
                if isinstance(item, dict):
                    pairs.extend(flatten_query(item, f"{name}.{i}."))
                else:
                    pairs.append((f"{name}.{i}", _text(item)))
        elif isinstance(value, dict):
            pairs.extend(flatten_query(value, f"{name}."))
        else:
            pairs.append((name, _text(value)))
    return pairs


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class HttpAdapter:
    """A JD-Cloud-compatible HTTP endpoint (for example ``vmrules serve``).

    ``credentials`` maps each caller pin to its (access key, secret key); requests are signed with
    JDCLOUD3-HMAC-SHA256 as the official SDK signs them. With ``credentials=None`` requests go unsigned and
    name the caller in the ``x-vmrules-caller`` header (the emulator's ``--no-auth`` mode). ``settle`` and
    ``reset`` use the emulator's admin endpoints; a system without them cannot be reset, and ``settle`` then
    polls describeInstances/describeImages until no transitional status is left. In signed mode the emulator's
    admin endpoints need a key marked admin: ``admin_key`` (access key, secret key) signs those calls.
    Requests share one kept-alive connection per thread; ``keep_alive=False`` opens a new one for each (for a
    server that mishandles kept-alive connections). ``close()`` (or ``with``) closes them.
    """

    TRANSITIONAL = frozenset({"pending", "starting", "stopping", "rebooting", "rebuilding", "resizing",
                              "deleting"})

    def __init__(self, base_url: str, credentials: Mapping[str, tuple[str, str]] | None = None, *,
                 timeout: float = 30.0, region: str = "cn-north-1", admin: bool = True,
                 admin_key: tuple[str, str] | None = None, keep_alive: bool = True) -> None:
        self.base_url = base_url.rstrip("/")
        self.admin_key = admin_key
        self.credentials = dict(credentials) if credentials is not None else None
        self.timeout = timeout
        self.region = region
        self.admin = admin
        self.callers: tuple[str, ...] = tuple(self.credentials) if self.credentials else ()
        # Kept-alive connections (vmrules.testing.connections); keep_alive=False: a new connection per request.
        self._origin = Origin(self.base_url, timeout, keep_alive=keep_alive)

    def close(self) -> None:
        """Close the connections this adapter keeps open (the kit calls this when a run is done with it)."""
        self._origin.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def call(self, operation: str, params: JSON, caller: str) -> JSON:
        op = OPERATION_TABLE.get(operation)
        if op is None:
            return {"requestId": "", "error": {"code": 400, "status": "INVALID_ARGUMENT",
                                                "message": f"unknown operation {operation}"}}
        path = op.path
        for name in re.findall(r"\{(\w+)\}", path):
            path = path.replace("{" + name + "}", quote(str(params.get(name, "")), safe=""))
        url_path = "/v1" + path
        body = b""
        query = ""
        if op.method in ("GET", "DELETE"):
            rest = {k: v for k, v in params.items() if "{" + k + "}" not in op.path}
            query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in flatten_query(rest))
        else:
            body = json.dumps(params, ensure_ascii=False).encode("utf-8")
        region = str(params.get("regionId", self.region))

        def headers() -> dict[str, str]:  # made again for a resent GET: a new date and nonce, signed anew
            made = {"Content-Type": "application/json"}
            if self.credentials is None:
                made["x-vmrules-caller"] = caller
            else:
                made.update(self._sign(op.method, url_path, query, made, body, caller, region))
            return made

        return self._send(op.method, url_path + (f"?{query}" if query else ""), body, headers)

    def carries(self, operation: str, params: JSON) -> bool:
        """Whether the REST encoding carries ``params`` unchanged: the operation must be one of the API's, the
        parameters an object, path parameters non-empty URL-safe strings, a GET/DELETE query must read back
        (flattened, then typed by the request model) as the same parameters, and a POST body must be JSON."""
        op = OPERATION_TABLE.get(operation)
        if op is None:  # no path to send it to: the REST API has no such operation to answer it
            return False
        if not isinstance(params, dict):
            return False
        names = re.findall(r"\{(\w+)\}", op.path)
        for name in names:
            value = params.get(name)
            if not isinstance(value, str) or not _SEGMENT.fullmatch(value):
                return False
        if op.method not in ("GET", "DELETE"):
            try:
                json.dumps(params, ensure_ascii=False, allow_nan=False)
            except (TypeError, ValueError):
                return False
            return True
        from vmrules.server.wire import QueryError, typed_params, unflatten

        rest = {k: v for k, v in params.items() if k not in names}
        try:
            back = typed_params(op, unflatten(flatten_query(rest)))
        except (QueryError, ValueError, TypeError, RecursionError):
            return False
        return same_json(back, _without_nulls(rest))

    def _sign(self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes, caller: str,
              region: str, key: tuple[str, str] | None = None) -> dict[str, str]:
        from vmrules.server.signing import SignedRequest, signature

        assert self.credentials is not None
        access_key, secret = key or self.credentials[caller]
        host = self.base_url.split("://", 1)[-1].split("/", 1)[0]
        date = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        nonce = str(uuid.uuid4())
        lower = {"content-type": headers["Content-Type"], "host": host, "x-jdcloud-date": date,
                 "x-jdcloud-nonce": nonce}
        signed = sorted(lower)
        sig = signature(SignedRequest(method, path, query, lower, body), algorithm="JDCLOUD3-HMAC-SHA256",
                        secret=secret, date=date, region=region, service="vm", signed_headers=signed)
        return {
            "Authorization": f"JDCLOUD3-HMAC-SHA256 Credential={access_key}/{date[:8]}/{region}/vm/"
                             f"jdcloud3_request, SignedHeaders={';'.join(signed)}, Signature={sig}",
            "x-jdcloud-date": date,
            "x-jdcloud-nonce": nonce,
            "x-jdcloud-content-sha256": hashlib.sha256(body).hexdigest(),
        }

    def _send(self, method: str, path: str, body: bytes, headers: Callable[[], Mapping[str, str]]) -> JSON:
        """The reply to one request (``headers()`` makes its headers), or an UNAVAILABLE envelope when none
        came. A GET that found its kept-alive connection closed by the server before any answer
        (``StaleConnection``: the server's idle timeout met it) is sent once more, on a new connection, with
        headers made anew; any other request is never sent twice (the server may have acted on it)."""
        try:
            try:
                payload = self._origin.send(method, path, body, headers())
            except StaleConnection:
                if method != "GET":
                    raise
                payload = self._origin.send(method, path, body, headers())
        except OSError as exc:
            return {"requestId": "", "error": {"code": 503, "status": "UNAVAILABLE",
                                                "message": f"{method} {path}: {exc}"}}
        try:
            data = json.loads(payload.decode("utf-8"))
        except ValueError:
            return {"requestId": "", "error": {"code": 502, "status": "UNKNOWN",
                                                "message": f"non-JSON response: {payload[:200]!r}"}}
        return data if isinstance(data, dict) else {"requestId": "", "error": {
            "code": 502, "status": "UNKNOWN", "message": "response is not a JSON object"}}

    def _admin_send(self, method: str, path: str, body: bytes) -> JSON:
        def headers() -> dict[str, str]:
            made = {"Content-Type": "application/json"}
            if self.credentials is not None and self.admin_key is not None:
                made.update(self._sign(method, path, "", made, body, "", self.region, self.admin_key))
            return made

        return self._send(method, path, body, headers)

    def settle(self) -> None:
        if self.admin:
            self._admin_send("POST", "/admin/settle", b"")
            return
        for _ in range(600):
            if not self._busy():
                return
            time.sleep(0.5)

    def _busy(self) -> bool:
        for caller in self.callers or ("",):
            page = self.call("describeInstanceStatus", {"regionId": self.region, "pageSize": 100}, caller)
            statuses = page.get("result", {}).get("instanceStatuses", [])
            if any(s.get("status") in self.TRANSITIONAL for s in statuses):
                return True
        return False

    def reset(self, snapshot: JSON) -> bool:
        if not self.admin:
            return False
        body = json.dumps(snapshot, ensure_ascii=False).encode("utf-8")
        reply = self._admin_send("PUT", "/admin/world", body)
        return "error" not in reply



class EmulatorAdapter(HttpAdapter):
    """An ``HttpAdapter`` for the emulator itself (``vmrules serve --frozen-clock``, as ``EmulatorProcess``
    starts it): it can also move the emulator's world clock, through ``POST /admin/advance``, so the kit steps
    time over HTTP too (prepaid expiry, VNC URL validity) and compares time fields exactly. Only for an
    endpoint that has that admin route and a clock that stands still between advances: another system's clock
    would not follow, and every time field would differ."""

    def advance(self, seconds: int) -> None:
        body = json.dumps({"seconds": seconds}).encode("utf-8")
        reply = self._admin_send("POST", "/admin/advance", body)
        if "error" in reply:  # the kit's own misuse (no admin route, a refused key): a bug, not a divergence
            raise RuntimeError(f"POST /admin/advance failed: {reply['error']}")

_SEGMENT = re.compile(r"[A-Za-z0-9._~-]+")


def _without_nulls(value: Any) -> Any:
    """Members whose value is None dropped (a null parameter is an absent one, and the query omits it)."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def same_json(a: Any, b: Any) -> bool:
    """Equality of JSON values that tells ``true`` from ``1`` and ``1`` from ``1.0``."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def load_credentials(path: str | os.PathLike[str]) -> dict[str, tuple[str, str]]:
    """Caller pin -> (access key, secret key) from the emulator's credentials file format
    ``{"<accessKey>": {"secretKey": "...", "pin": "..."}}``. Raises ValueError naming what is wrong."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read credentials file {path}: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: the credentials file must hold a JSON object keyed by access key")
    by_pin: dict[str, tuple[str, str]] = {}
    for access_key, entry in data.items():
        if isinstance(entry, dict) and entry.get("admin") is True and "pin" not in entry:
            continue  # an emulator admin key: no account to call as
        if not (isinstance(entry, dict) and isinstance(entry.get("secretKey"), str)
                and isinstance(entry.get("pin"), str)):
            raise ValueError(f"{path}: [{access_key!r}] must be {{\"secretKey\": str, \"pin\": str}}")
        by_pin[entry["pin"]] = (access_key, entry["secretKey"])
    return by_pin


class EmulatorProcess(ServerProcess):
    """``python -m vmrules.server`` in a subprocess, for tests and scripts: a context manager whose ``url`` is
    the emulator's address. Tasks only complete on ``POST /admin/settle`` (``--task-seconds`` very large) and
    the world's clock stands still (``--frozen-clock``), so the emulator moves in lockstep with the model: a
    clock that followed wall time would stamp what a slow run creates later than the model does, and reorder
    the listings sorted by creation time. Unsigned (``--no-auth``) unless a ``credentials`` file is given."""

    def __init__(self, extra_args: Sequence[str] = (), *, task_seconds: float = 10.0**9,
                 credentials: str | os.PathLike[str] | None = None) -> None:
        super().__init__(*serve_args(credentials=os.fspath(credentials) if credentials is not None else None,
                                     task_seconds=task_seconds, frozen_clock=True, extra=extra_args))

    def close(self) -> None:
        self.stop()
