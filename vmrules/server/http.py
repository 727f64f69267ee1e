"""The HTTP shell: the standard library's threading HTTP server in front of ``Emulator.handle``.

Why the standard library: the emulator serves tests on loopback, where the engine's speed, not the HTTP
stack's, bounds throughput; ``ThreadingHTTPServer`` speaks the plain HTTP/1.1 the SDK sends, adds no dependency
and has no event loop to manage. Every response is a JSON envelope; a handler error becomes a 500 envelope and
the server keeps serving.
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from vmrules.server.app import MAX_BODY_BYTES, Emulator, Response


def make_handler(emulator: Emulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "vmrules-emulator"

        def _serve(self) -> None:
            length_text = self.headers.get("Content-Length", "0") or "0"
            try:
                length = int(length_text)
            except ValueError:
                length = -1
            if length < 0 or length > MAX_BODY_BYTES:
                self._send(Response(413 if length > 0 else 400, {"requestId": "", "error": {
                    "code": 413 if length > 0 else 400, "status": "INVALID_ARGUMENT",
                    "message": f"Content-Length must be 0..{MAX_BODY_BYTES}"}}), close=True)
                return
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                response = emulator.handle(self.command, parts.path, parts.query, headers, body)
            except Exception as exc:  # a bug in the engine or server: answer, log, keep serving
                print(f"vmrules serve: internal error on {self.command} {self.path}: {exc!r}", file=sys.stderr)
                response = Response(500, {"requestId": "", "error": {
                    "code": 500, "status": "INTERNAL", "message": "internal error"}})
            self._send(response)

        def _send(self, response: Response, *, close: bool = False) -> None:
            payload = response.encode()
            self.send_response(response.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            request_id = response.body.get("requestId", "")
            if request_id:
                self.send_header("x-jdcloud-request-id", str(request_id))
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _serve

        def do_HEAD(self) -> None:
            self._send(Response(405, {"requestId": "", "error": {
                "code": 405, "status": "METHOD_NOT_ALLOWED", "message": "HEAD is not supported"}}))

        def log_message(self, format: str, *args: Any) -> None:
            if emulator.verbose:
                super().log_message(format, *args)

    return Handler


def serve(emulator: Emulator, host: str = "127.0.0.1", port: int = 8000,
          ready: Any = None) -> None:
    """Serve until interrupted. ``ready`` (optional) is called with the bound (host, port)."""
    server = ThreadingHTTPServer((host, port), make_handler(emulator))
    server.daemon_threads = True
    bound = (str(server.server_address[0]), int(server.server_address[1]))
    if ready is not None:
        ready(bound)
    else:
        print(json.dumps({"listening": f"http://{bound[0]}:{bound[1]}"}), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
