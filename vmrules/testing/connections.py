"""HTTP requests to one origin over kept-alive connections, for the conformance kit's ``HttpAdapter``.

A conformance run sends thousands of small requests. Opening a TCP connection for each (and, over https, a
TLS session) costs more than many of the requests do, so an ``Origin`` keeps one connection per thread and
sends request after request on it while the server keeps it open:

* A connection the server closed while it was idle (its keep-alive timeout) reads as ready with nothing to
  read. That is looked at before each request is written, and the request then goes out on a new connection.
* A request is never sent twice by this module: when sending it or awaiting its answer fails, the connection
  is dropped and the failure is raised (the adapter answers it as UNAVAILABLE). The server may have acted on
  it, so sending it again could act twice. A server can close an idle connection in the instant between that
  look and the request; the request then finds the connection closed before any answer came, and the
  failure raised is ``StaleConnection``. The adapter sends a GET again once when that happens, signed anew (a
  GET only reads), and reports anything else as UNAVAILABLE.
* When a proxy is configured for the origin (urllib's ``*_proxy`` and ``no_proxy`` environment variables),
  the scheme is neither http nor https, or the caller asks for it (``keep_alive=False``, for a server that
  mishandles kept-alive connections), requests go through urllib as they always did, one connection each.

The ``Host`` header is the base URL's own host and port, exactly as written: the request signature covers it.
"""

from __future__ import annotations

import http.client
import select
import ssl
import threading
import urllib.error
import urllib.request
import weakref
from collections.abc import Mapping
from urllib.parse import urlsplit


class StaleConnection(ConnectionError):
    """A kept-alive connection, used before, was found closed by the server before any answer to this request
    came (the server's idle timeout met the request on the way). The server did not answer; whether it read
    the request is unknown."""


# What a closed connection raises while the request is written or before the status line has come.
_CLOSED = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


class Origin:
    """Requests to ``base_url`` (scheme, host, port and an optional path prefix) with ``timeout`` seconds;
    ``keep_alive=False``: a new connection through urllib for each request."""

    def __init__(self, base_url: str, timeout: float, *, keep_alive: bool = True) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        parts = urlsplit(self.base_url)
        self._scheme = parts.scheme
        self._netloc = parts.netloc
        self._prefix = parts.path
        self._host = parts.hostname or ""
        try:
            self._port = parts.port
        except ValueError:  # not a port number: urllib refuses the URL on each request, as it always did
            self._port, self._scheme = None, ""
        self._direct = keep_alive and self._scheme in ("http", "https") and not _proxied(self._scheme, self._host)
        # Built now, from the environment as it is now: the proxies it uses are the ones looked at above
        # (urlopen's shared opener keeps whatever the environment held at its first use). Only when requests
        # go through urllib: building one reads the environment and makes a dozen handlers (0.2-0.5 ms).
        self._opener = None if self._direct else urllib.request.build_opener()
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[http.client.HTTPConnection] = []
        # An origin let go without close() (an adapter used in passing) still closes its sockets, quietly.
        weakref.finalize(self, _close_each, self._open, self._lock)

    def send(self, method: str, path: str, body: bytes, headers: Mapping[str, str]) -> bytes:
        """The response body (whatever the status). Raises ``ConnectionError`` when no answer came, and its
        ``StaleConnection`` when a reused connection was found closed before any answer."""
        if not self._direct:
            return self._send_by_urllib(method, path, body, headers)
        with_host = {"Host": self._netloc, **headers}
        connection = self._connection()
        reused = connection.sock is not None
        answered = False
        try:
            connection.request(method, self._prefix + path, body=body or None, headers=with_host)
            response = connection.getresponse()
            answered = True
            payload = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self._drop(connection)
            failure = StaleConnection if reused and not answered and isinstance(exc, _CLOSED) else ConnectionError
            raise failure(f"no answer ({type(exc).__name__}: {exc})") from exc
        if response.will_close:
            self._drop(connection)
        return payload

    def close(self) -> None:
        """Close every connection this origin opened, in any thread (a later request opens a new one)."""
        _close_each(self._open, self._lock)
        self._local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        """This thread's connection: a new one when there is none or the server has closed it."""
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if connection is not None and not _closed_by_peer(connection):
            return connection
        if connection is not None:
            self._drop(connection)
        if self._scheme == "https":
            connection = http.client.HTTPSConnection(self._host, self._port, timeout=self.timeout,
                                                     context=ssl.create_default_context())
        else:
            connection = http.client.HTTPConnection(self._host, self._port, timeout=self.timeout)
        self._local.connection = connection
        with self._lock:
            self._open.append(connection)
        return connection

    def _drop(self, connection: http.client.HTTPConnection) -> None:
        connection.close()
        if getattr(self._local, "connection", None) is connection:
            self._local.connection = None
        with self._lock:
            if connection in self._open:
                self._open.remove(connection)

    def _send_by_urllib(self, method: str, path: str, body: bytes, headers: Mapping[str, str]) -> bytes:
        assert self._opener is not None, "an origin that sends through urllib has built its opener"
        request = urllib.request.Request(self.base_url + path, data=body or None, method=method,
                                         headers=dict(headers))
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                payload: bytes = response.read()
        except urllib.error.HTTPError as exc:  # an answer all the same: its body is the error envelope
            payload = exc.read()
        except urllib.error.URLError as exc:
            raise ConnectionError(str(exc.reason)) from exc
        except http.client.HTTPException as exc:  # a URL http.client refuses (a port that is no number)
            raise ConnectionError(f"{type(exc).__name__}: {exc}") from exc
        return payload


def _close_each(connections: list[http.client.HTTPConnection], lock: threading.Lock) -> None:
    with lock:
        closing = connections[:]
        connections.clear()
    for connection in closing:
        connection.close()


def _proxied(scheme: str, host: str) -> bool:
    """Whether urllib would send requests for ``host`` through a proxy (the environment's settings)."""
    return scheme in urllib.request.getproxies() and not urllib.request.proxy_bypass(host)


def _closed_by_peer(connection: http.client.HTTPConnection) -> bool:
    """Whether a connection cannot take another request: the server has closed it (or sent something unasked;
    either way the socket is ready to read between requests). A connection not yet opened can."""
    sock = connection.sock
    if sock is None:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):  # a socket closed under us
        return True
    return bool(readable)
