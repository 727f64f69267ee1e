"""The HTTP shell: the standard library's threading HTTP server in front of ``Emulator.handle``.

Why the standard library: the emulator serves tests on loopback, where the engine's speed, not the HTTP
stack's, bounds throughput; ``ThreadingHTTPServer`` speaks the plain HTTP/1.1 the SDK sends, adds no dependency
and has no event loop to manage. Every response is a JSON envelope, including the ones the standard library
itself would send as HTML (malformed request lines, over-long URLs or headers, unknown verbs); a handler error
becomes a 500 envelope and the server keeps serving.
"""

from __future__ import annotations

import sys
import time
from email.message import Message
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from vmrules.server.app import Emulator, Response, StreamedResponse, body_limit
from vmrules.wire import body_too_large, reason_phrase

DRAIN_LIMIT = 64 << 20  # an over-long body up to this size is read and dropped, so the client reads the 413
READ_CHUNK = 1 << 16


def _envelope(request_id: str, code: int, status: str, message: str) -> Response:
    return Response(code, {"requestId": request_id, "error": {"code": code, "status": status, "message": message}})


def _header_problem(headers: Message) -> str | None:
    """Why a header section cannot be taken as it reads, or None. A line that is no ``name: value`` ends the
    library's parse there (the headers after it, a Content-Length among them, would be dropped and the body read
    as the next request); so does a folded line; two Hosts or two different Content-Lengths are ambiguous."""
    if headers.defects:
        return "a header line is not of the form name: value"
    if any("\r" in value or "\n" in value for value in headers.values()):
        return "a header line is folded onto the next (obsolete line folding is not accepted)"
    if len(headers.get_all("Host") or ()) > 1:
        return "the request has more than one Host header"
    if len({value.strip() for value in headers.get_all("Content-Length") or ()}) > 1:
        return "the request has Content-Length headers that differ"
    return None


def make_handler(emulator: Emulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "vmrules-emulator"
        disable_nagle_algorithm = True  # TCP_NODELAY: a response goes out as soon as it is written
        timeout = 60  # seconds a connection may stall (a short body, an idle keep-alive) before it is dropped

        def _serve(self) -> None:
            """Read the body and answer through the emulator (which refuses a method a path does not take, with
            its Allow header, after the Host check)."""
            parts = urlsplit(self.path)
            if self.headers.get("Transfer-Encoding"):
                self._send(_envelope(emulator.next_request_id(), 411, "INVALID_ARGUMENT",
                                     "send the body with a Content-Length (chunked bodies are not accepted)"),
                           close=True)
                return
            length_text = (self.headers.get("Content-Length") or "0").strip()
            length = int(length_text) if length_text.isascii() and length_text.isdigit() else -1
            if length < 0:
                self._send(_envelope(emulator.next_request_id(), 400, "INVALID_ARGUMENT",
                                     f"Content-Length {length_text[:40]!r} is not a byte count"), close=True)
                return
            limit = body_limit(parts.path)
            if length > limit:
                drained = length <= DRAIN_LIMIT and self._drain(length)
                self._send(_envelope(emulator.next_request_id(), 413, "INVALID_ARGUMENT",
                                     body_too_large(length, limit)),
                           close=not drained)
                return
            body = self._read_body(length)
            if body is None:
                self._send(_envelope(emulator.next_request_id(), 408, "DEADLINE_EXCEEDED",
                                     f"the body did not arrive within {emulator.body_seconds} s"), close=True)
                return
            if len(body) < length:
                self.close_connection = True
                return  # the client went away mid-body; there is no one to answer
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                response = emulator.handle(self.command, parts.path, parts.query, headers, body)
            except Exception as exc:  # handle() does not raise; this guards the shell itself
                print(f"vmrules serve: internal error on {self.command} {self.path[:200]}: {exc!r}",
                      file=sys.stderr)
                response = _envelope(emulator.next_request_id(), 500, "INTERNAL", "internal error")
            if isinstance(response, StreamedResponse):
                self._stream(response)
            else:
                self._send(response)

        def _read_body(self, length: int) -> bytes | None:
            """The body, read against one deadline for the whole of it (a client trickling a byte at a time
            cannot hold the connection longer); None when the deadline passes. Short when the client left."""
            deadline = time.monotonic() + emulator.body_seconds
            parts: list[bytes] = []
            left = length
            try:
                while left:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return None
                    self.connection.settimeout(remaining)
                    chunk = self.rfile.read1(min(left, READ_CHUNK))
                    if not chunk:
                        break
                    parts.append(chunk)
                    left -= len(chunk)
            except TimeoutError:
                return None
            finally:
                self.connection.settimeout(self.timeout)
            return b"".join(parts)

        def _drain(self, length: int) -> bool:
            left = length
            while left:
                chunk = self.rfile.read(min(left, READ_CHUNK))
                if not chunk:
                    return False
                left -= len(chunk)
            return True

        def _head(self, status: int, request_id: str, extra: list[str]) -> bytes:
            lines = [f"HTTP/1.1 {status} {reason_phrase(status)}", f"Server: {self.server_version}",
                     f"Date: {formatdate(usegmt=True)}", "Content-Type: application/json; charset=utf-8", *extra]
            if request_id:
                lines.append(f"x-jdcloud-request-id: {request_id}")
            return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

        def _stream(self, response: StreamedResponse) -> None:
            """A large body in chunked transfer coding, encoded as it goes (a world snapshot)."""
            if self.request_version == "HTTP/1.0":  # no chunked coding: the body ends with the connection
                self.close_connection = True
                self.wfile.write(self._head(response.status, response.request_id, ["Connection: close"]))
                for chunk in response.chunks():
                    self.wfile.write(chunk)
                return
            self.wfile.write(self._head(response.status, response.request_id, ["Transfer-Encoding: chunked"]))
            for chunk in response.chunks():
                if chunk:
                    self.wfile.write(b"%x\r\n%b\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
            if emulator.verbose:
                self.log_request(response.status)

        def _send(self, response: Response, *, close: bool = False) -> None:
            """Status line, headers and body in one write: written in two, the body would wait for the client's
            delayed ACK of the headers (Nagle), ~40 ms per request on a keep-alive connection. The answer to a
            HEAD goes without its body."""
            payload = response.encode()
            extra = [f"Content-Length: {len(payload)}"]
            if response.allow:
                extra.append(f"Allow: {', '.join(response.allow)}")
            if close:
                extra.append("Connection: close")
                self.close_connection = True
            head = self._head(response.status, str(response.body.get("requestId", "")), extra)
            self.wfile.write(head if self.command == "HEAD" else head + payload)
            if emulator.verbose:
                self.log_request(response.status, len(payload))

        # HEAD, and a verb no route takes, are answered by the emulator too: their bodies are read like any
        # other (or the bytes would be taken for the next request), and the Host check comes first.
        do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = do_HEAD = _serve

        def handle_one_request(self) -> None:
            """One request; a client that hangs up while its answer is written ends the connection quietly (the
            library would print a traceback per departed client)."""
            self.command = ""  # not the previous request's: the library may refuse this one before parsing it
            try:
                super().handle_one_request()
            except ConnectionError:
                self.close_connection = True

        def parse_request(self) -> bool:
            """The standard library's parse, refusing every version but HTTP/1.0 and 1.1 with a 505 (it would
            take ``GET /path`` as HTTP/0.9 and answer with a bare body, and ``HTTP/1.2`` as 1.x), and a header
            section it could not read whole with a 400 (RFC 9112 sections 2.2, 3.2, 5.2 and 6.3)."""
            line: bytes = self.raw_requestline  # type: ignore[has-type]  # set by handle_one_request
            if line in (b"\r\n", b"\n"):  # one empty line before the request line is ignored
                line = self.raw_requestline = self.rfile.readline(65537)
                if len(line) > 65536:  # the library's own limit, which it checked on the empty line only
                    self.requestline = ""
                    self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
                    return False
            if len(line.split()) == 2:  # "GET /path": HTTP/0.9, which sends no header section to wait for
                self.requestline = line.decode("latin-1").rstrip("\r\n")  # what the access log shows
                self.command, self.path = (w.decode("latin-1") for w in line.split())
                self.send_error(HTTPStatus.HTTP_VERSION_NOT_SUPPORTED,
                                "HTTP/0.9 is not supported; send HTTP/1.1 or HTTP/1.0")
                return False
            if not super().parse_request():
                return False
            if self.request_version not in ("HTTP/1.0", "HTTP/1.1"):
                self.send_error(HTTPStatus.HTTP_VERSION_NOT_SUPPORTED,
                                f"{self.request_version} is not supported; send HTTP/1.1 or HTTP/1.0")
                return False
            problem = _header_problem(self.headers)
            if problem is not None:
                self.send_error(HTTPStatus.BAD_REQUEST, problem)
                return False
            return True

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            """The standard library's own errors (bad request line, URL or headers too long), as JSON envelopes.
            A verb with no handler (501 in the library) is answered by the emulator as any request is: 404 on a
            path no route has, else 405 with the Allow header of the methods the path takes."""
            if code == HTTPStatus.NOT_IMPLEMENTED:
                self._serve()
                return
            status = "INVALID_ARGUMENT"  # 400, 414, 431 and 505: the request's form (docs/decisions/emulator.md)
            text = message or reason_phrase(code)
            self.close_connection = True
            response = _envelope(emulator.next_request_id(), code, status, text)
            try:
                # the request line may not have parsed: answer as HTTP/1.1 whatever the client wrote
                self.request_version = "HTTP/1.1"
                self._send(response, close=True)
            except OSError:
                pass

        def log_message(self, format: str, *args: Any) -> None:
            if emulator.verbose:
                super().log_message(format, *args)

    return Handler


def bind(emulator: Emulator, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    """A server bound to (host, port) (port 0: a free one), not yet serving. Raises OSError if it cannot bind."""
    server = ThreadingHTTPServer((host, port), make_handler(emulator))
    server.daemon_threads = True
    return server

