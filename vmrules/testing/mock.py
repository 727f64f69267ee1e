"""``mock_jdcloud()``: the official Python SDK (``jdcloud_sdk``) answered in process by the reference engine.

While a mock is active, every request the SDK's ``JDCloudClient.send`` makes is handed, as the bytes it would
put on the wire, to the same wire layer the emulator uses (``vmrules.wire.answer``: routing, parameters,
signature checks, error envelope). Requests of the SDK's VM client are answered whatever endpoint its ``Config``
names; a request of any other JD Cloud service raises ``UnmockedRequest`` naming the URL. See docs/mocking.md.

Interception: the SDK sends every request through one call, ``requests.request`` as looked up in
``jdcloud_sdk.core.jdcloudclient``; the mock replaces that module's ``requests`` name (and nothing else) for as
long as it is active. Unlike ``responses`` or a transport adapter, that leaves the user's own ``requests``
traffic and their own HTTP mocks untouched, needs no session, and sees the request after the SDK has signed it.
"""

from __future__ import annotations

import functools
import inspect
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType, TracebackType
from typing import Any, Self, TypeVar, cast
from urllib.parse import SplitResult, urlsplit

from vmrules import World, advance, execute, settle
from vmrules.engine import advance_as_far_as_allowed
from vmrules.operation import Outcome
from vmrules.wire import Authenticator, NonceMemory, Response, WireRequest, answer, reason_phrase

SDK_CLIENT_MODULE = "jdcloud_sdk.core.jdcloudclient"
VM_SERVICE = "vm"
Snapshot = Mapping[str, Any]
F = TypeVar("F", bound=Callable[..., Any])
_UNDECORATED = "__vmrules_mock_undecorated__"  # on a decorated function: the function it runs


class UnmockedRequest(RuntimeError):
    """The SDK tried to reach a JD Cloud service the mock does not answer; nothing left the process."""


@dataclass(frozen=True)
class Call:
    """One request the mock answered: what the SDK sent, the operation it named (None when routing, signature
    or parameters refused it first), the engine's outcome, the rule that refused it (if any) and the response."""

    request: WireRequest
    operation: str | None
    outcome: Outcome | None
    response: Response

    @property
    def rule(self) -> str | None:
        if self.outcome is not None and self.outcome.error is not None:
            return self.outcome.error.rule
        return None

    @property
    def ok(self) -> bool:
        return self.response.status == 200


class MockJDCloud:
    """The handle of one mock: its world, its clock and tasks, its accounts, and the calls it answered.

    Tasks (pending → running, stopping → stopped, ...) complete on ``settle()`` by default; with
    ``complete_after_describes=N`` the tasks in progress complete once N describe calls have been answered since
    the last one began; with ``complete_after_seconds=S`` the world's clock follows ``clock`` (wall time) and a task
    completes S seconds after it began. Otherwise the world's clock moves only through ``advance()``.
    """

    def __init__(self, world: World | Snapshot | None = None, *, accounts: Mapping[str, Any] | None = None,
                 complete_after_describes: int | None = None, complete_after_seconds: float | None = None,
                 max_skew_seconds: int = 900, clock: Callable[[], float] = time.time) -> None:
        if complete_after_describes is not None and complete_after_seconds is not None:
            raise ValueError("give complete_after_describes or complete_after_seconds, not both")
        self._lock = threading.RLock()
        self._world = _as_world(world)
        self._keys: dict[str, tuple[str | None, str]] = {}
        self._nonces = NonceMemory()
        self._clock = clock
        self._synced_at = clock()
        self._carry = 0.0
        self._describes_since_task = 0
        self._requests = 0
        self.complete_after_describes = complete_after_describes
        self.complete_after_seconds = complete_after_seconds
        self.max_skew_seconds = max_skew_seconds
        self.calls: list[Call] = []
        self._patch: _Patch | None = None
        if accounts:
            self.accounts(accounts)

    # ---- the world ----------------------------------------------------------------------------------

    @property
    def world(self) -> World:
        with self._lock:
            return self._world

    def load(self, world: World | Snapshot) -> None:
        """Replace the world by ``world`` (a World, or a snapshot as ``World.to_dict`` writes it)."""
        with self._lock:
            self._world = _as_world(world)
            self._describes_since_task = 0
            # the new world's clock follows wall time from now on, as PUT /admin/world restarts the emulator's
            self._synced_at = self._clock()
            self._carry = 0.0

    def settle(self) -> World:
        """Complete every task in progress; returns the new world."""
        with self._lock:
            self._world = settle(self._world)
            return self._world

    def advance(self, seconds: int) -> World:
        """Move the world's clock forward (tasks complete only if ``complete_after_seconds`` says so)."""
        with self._lock:
            self._world = self._complete_due(advance(self._world, seconds))
            return self._world

    def accounts(self, keys: Mapping[str, Any] | None = None, /, **by_key: Any) -> Self:
        """Map access keys to accounts: ``{"AK": "alice"}`` (the signature is checked, but not against a secret)
        or ``{"AK": ("secret", "alice")}`` (checked against the secret). Once any key is given, requests signed
        by other keys are refused (401); before, every key acts as the world's default account."""
        with self._lock:
            for access_key, entry in {**(keys or {}), **by_key}.items():
                if isinstance(entry, str):
                    self._keys[access_key] = (None, entry)
                elif (isinstance(entry, tuple) and len(entry) == 2
                      and all(isinstance(part, str) for part in entry)):
                    self._keys[access_key] = (entry[0], entry[1])
                else:
                    raise TypeError(f"accounts[{access_key!r}] must be a pin or a (secret key, pin) pair")
        return self

    # ---- activation ---------------------------------------------------------------------------------

    def start(self) -> Self:
        if self._patch is None:
            patch = _Patch(self)
            patch.install()  # raises when another mock is active: then this one stays inactive and installs nothing
            self._patch = patch
        return self

    def stop(self) -> None:
        if self._patch is not None:
            self._patch.remove()
            self._patch = None

    @property
    def active(self) -> bool:
        return self._patch is not None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    def __call__(self, target: F) -> F:
        """Decorate a function (the mock is active, fresh, for each call; a coroutine function for each run of its
        coroutine) or a class (each ``test*`` method it has, inherited ones included)."""
        if inspect.isclass(target):
            for name in dir(target):
                if name.startswith("test"):
                    self._decorate_method(target, name)
            return target
        return cast(F, self._wrapped(target))

    def _decorate_method(self, cls: type, name: str) -> None:
        member = inspect.getattr_static(cls, name)
        kind: Callable[[Any], Any] | None = None
        if isinstance(member, (staticmethod, classmethod)):
            kind, member = type(member), member.__func__
        if not callable(member):
            return
        # a method decorated by a base class's mock is decorated anew by this class's (not inside it: two mocks
        # cannot be active at once)
        function = getattr(member, _UNDECORATED, member)
        wrapped = self._wrapped(function)
        setattr(cls, name, kind(wrapped) if kind is not None else wrapped)

    def _wrapped(self, target: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(target):
            @functools.wraps(target)
            async def run_coroutine(*args: Any, **kwargs: Any) -> Any:
                with self._fresh():
                    return await target(*args, **kwargs)

            wrapper: Callable[..., Any] = run_coroutine
        elif inspect.isgeneratorfunction(target):
            @functools.wraps(target)
            def run_generator(*args: Any, **kwargs: Any) -> Any:
                with self._fresh():
                    return (yield from target(*args, **kwargs))

            wrapper = run_generator
        else:
            @functools.wraps(target)
            def run(*args: Any, **kwargs: Any) -> Any:
                with self._fresh():
                    return target(*args, **kwargs)

            wrapper = run
        setattr(wrapper, _UNDECORATED, target)
        return wrapper

    def _fresh(self) -> MockJDCloud:
        """A new mock with this one's settings and a copy of its starting world and accounts."""
        fresh = MockJDCloud(self._world, complete_after_describes=self.complete_after_describes,
                            complete_after_seconds=self.complete_after_seconds,
                            max_skew_seconds=self.max_skew_seconds, clock=self._clock)
        fresh._keys = dict(self._keys)
        return fresh

    # ---- answering ----------------------------------------------------------------------------------

    def handle(self, request: WireRequest) -> Call:
        """Answer one request as the emulator would, and record it in ``calls``."""
        recorded: list[tuple[str, Outcome]] = []

        def run(operation: str, params: dict[str, Any], caller: str | None) -> Outcome:
            with self._lock:
                world = self._before(operation)
                outcome = execute(world, operation, params, caller=caller)
                self._world = outcome.world
                if outcome.world.tasks and outcome.world.tasks is not world.tasks:
                    self._describes_since_task = 0
            recorded.append((operation, outcome))
            return outcome

        with self._lock:
            self._requests += 1
            request_id = f"vmrules-{self._requests:010d}"
        auth = Authenticator(self._keys, self.max_skew_seconds, time.time, self._nonces, any_key=not self._keys)
        response = answer(request, request_id, run, auth)
        operation, outcome = recorded[0] if recorded else (None, None)
        call = Call(request, operation, outcome, response)
        with self._lock:
            self.calls.append(call)
        return call

    def _before(self, operation: str) -> World:
        """The world an operation sees: the clock moved and due tasks completed, per the task mode."""
        world = self._world
        if self.complete_after_seconds is not None:
            now = self._clock()
            self._carry += max(0.0, now - self._synced_at)
            self._synced_at = now
            whole = int(self._carry)
            if whole:
                self._carry -= whole
                world = advance_as_far_as_allowed(world, whole)
            world = self._complete_due(world)
        elif self.complete_after_describes is not None and operation.startswith("describe") and world.tasks:
            if self._describes_since_task >= self.complete_after_describes:
                world = settle(world)
            self._describes_since_task += 1
        return world

    def _complete_due(self, world: World) -> World:
        if self.complete_after_seconds is None or not world.tasks:
            return world
        delay = int(-(-self.complete_after_seconds // 1))
        return settle(world, started_by=world.clock - delay)


def mock_jdcloud(world: World | Snapshot | None = None, **options: Any) -> MockJDCloud:
    """A mock of JD Cloud's VM API for the official Python SDK: a context manager, a decorator (function or
    class) or ``start()``/``stop()``. Options as ``MockJDCloud``."""
    return MockJDCloud(world, **options)


def _as_world(world: World | Snapshot | None) -> World:
    if world is None:
        return World.default()
    if isinstance(world, World):
        return world
    return World.from_dict(world)


class _Patch:
    """Replaces the SDK client module's ``requests`` by a stand-in whose ``request`` answers in process."""

    def __init__(self, mock: MockJDCloud) -> None:
        import importlib

        self.module: Any = importlib.import_module(SDK_CLIENT_MODULE)
        self.mock = mock
        self.saved: Any = None

    def install(self) -> None:
        self.saved = self.module.requests
        if isinstance(self.saved, _Transport):
            raise RuntimeError("another mock_jdcloud is already active; stop it first (one world answers the SDK)")
        if not hasattr(self.saved, "request"):
            raise RuntimeError(f"{SDK_CLIENT_MODULE} no longer sends through requests.request; "
                               "this jdcloud-sdk version is not supported by vmrules.testing.mock_jdcloud")
        self.module.requests = _Transport(self.mock, self.saved)

    def remove(self) -> None:
        self.module.requests = self.saved


class _Transport:
    """The ``requests`` the SDK sees while mocked: ``request`` is answered by the mock, the rest is requests'."""

    def __init__(self, mock: MockJDCloud, real: ModuleType) -> None:
        self._mock = mock
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def request(self, method: str, url: str, data: str | bytes | None = None,
                headers: Mapping[str, str] | None = None, **_: Any) -> Any:
        headers = dict(headers or {})
        words = headers.get("User-Agent", "").split()  # the SDK's: JdcloudSdkPython/<version> <service>/<revision>
        service = words[1].partition("/")[0] if len(words) > 1 else ""
        if service != VM_SERVICE:
            raise UnmockedRequest(f"vmrules mock_jdcloud is active and answers only the VM service; the SDK's "
                                  f"{service or 'unknown'} client tried to reach {url}")
        # What requests would put on the wire: its own checks of the URL and headers (InvalidURL, InvalidHeader
        # raised as the real send raises them), its encoding of the path, and the Host it derives unless the
        # caller named one.
        prepared = self._real.Request(method, url, data=data, headers=headers).prepare()
        parts = urlsplit(prepared.url)
        lowered = {name.lower(): str(value) for name, value in prepared.headers.items()}
        lowered.setdefault("host", _host_header(parts))
        sent = prepared.body
        body = sent.encode("utf-8") if isinstance(sent, str) else sent or b""
        # A path that starts with several slashes (an endpoint written with a trailing "/") is read from its
        # last leading slash on, as Python's http.server reads it for vmrules serve: both shells route it alike.
        path = "/" + parts.path.lstrip("/") if parts.path.startswith("//") else parts.path
        call = self._mock.handle(WireRequest(method.upper(), path, parts.query, lowered, body))
        return _response(self._real, call.response, url)


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _host_header(url: SplitResult) -> str:
    """The Host header requests (urllib3 and http.client) sends for ``url``: the host lower-cased, an IPv6
    address in brackets, and the port unless it is the scheme's default (``http://h:443`` keeps ``:443``)."""
    host = url.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if url.port is not None and url.port != _DEFAULT_PORTS.get(url.scheme):
        host = f"{host}:{url.port}"
    return host


def _response(real: Any, answer_: Response, url: str) -> Any:
    response = real.models.Response()
    payload = answer_.encode()
    response.status_code = answer_.status
    response._content = payload
    response.headers = real.structures.CaseInsensitiveDict(
        {**answer_.headers(), "Content-Length": str(len(payload))})
    response.url = url
    response.encoding = "utf-8"
    response.reason = reason_phrase(answer_.status)  # what raise_for_status and logs show
    return response
