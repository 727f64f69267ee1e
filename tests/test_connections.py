"""The HTTP adapter's kept-alive connections (vmrules.testing.connections), against small local servers that
count the connections and requests they see and misbehave on purpose."""

from __future__ import annotations

import gc
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from vmrules.testing.adapters import HttpAdapter
from vmrules.testing.connections import Origin

ANSWER = b'{"requestId": "r", "result": {}}'


class Recorder:
    """What a test server saw: one entry per connection, each the request lines it read on it."""

    def __init__(self, behaviour: str) -> None:
        # "keep", "close-unannounced", "read-then-hang-up" (the second request of the first connection read,
        # then the connection closed without an answer) or "hang-up-at-once" (every connection closed unanswered)
        self.behaviour = behaviour
        self.connections: list[list[str]] = []
        self.hosts: list[str] = []
        self.nonces: list[str] = []
        self.lock = threading.Lock()


def _handler(recorder: Recorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            with recorder.lock:
                recorder.connections.append([])
                self.seen = recorder.connections[-1]

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            with recorder.lock:
                self.seen.append(self.requestline)
                recorder.hosts.append(self.headers.get("Host", ""))
                recorder.nonces.append(self.headers.get("x-jdcloud-nonce", ""))
                first_connection = recorder.connections[0] is self.seen
            if recorder.behaviour == "hang-up-at-once" or (
                    recorder.behaviour == "read-then-hang-up" and first_connection and len(self.seen) == 2):
                self.close_connection = True  # the request read whole, then no answer at all
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(ANSWER)))
            self.end_headers()
            self.wfile.write(ANSWER)
            if recorder.behaviour == "close-unannounced":
                self.close_connection = True  # closed after answering, without "Connection: close"

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serving(behaviour: str = "keep") -> Iterator[tuple[str, Recorder]]:
    recorder = Recorder(behaviour)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(recorder))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", recorder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _wait_for_close(origin: Origin) -> None:
    """Until the server's close of this thread's connection has reached it (bounded: 5 s)."""
    from vmrules.testing.connections import _closed_by_peer

    connection = getattr(origin._local, "connection", None)
    deadline = time.monotonic() + 5
    while connection is not None and not _closed_by_peer(connection) and time.monotonic() < deadline:
        time.sleep(0.01)


def test_requests_share_one_connection() -> None:
    with serving() as (url, recorder), HttpAdapter(url) as adapter:
        for _ in range(5):
            assert adapter.call("describeQuotas", {"regionId": "cn-north-1"}, "alice")["result"] == {}
        adapter.call("stopInstance", {"regionId": "cn-north-1", "instanceId": "i-1"}, "alice")
    assert len(recorder.connections) == 1 and len(recorder.connections[0]) == 6


def test_the_host_header_is_the_base_url_s_own() -> None:
    with serving() as (url, recorder), HttpAdapter(url) as adapter:
        adapter.call("describeQuotas", {"regionId": "cn-north-1"}, "alice")
    assert recorder.hosts == [url.removeprefix("http://")]


def test_a_path_prefix_of_the_base_url_is_kept() -> None:
    with serving() as (url, recorder), HttpAdapter(url + "/api/") as adapter:
        adapter.call("describeQuotas", {"regionId": "cn-north-1"}, "alice")
    assert recorder.connections[0][0].startswith("GET /api/v1/regions/cn-north-1/quotas")


def test_a_connection_the_server_closed_is_replaced_and_the_request_sent_once() -> None:
    with serving("close-unannounced") as (url, recorder), HttpAdapter(url) as adapter:
        for _ in range(3):
            assert "result" in adapter.call("describeQuotas", {"regionId": "cn-north-1"}, "alice")
            _wait_for_close(adapter._origin)
    assert [len(requests) for requests in recorder.connections] == [1, 1, 1]


def test_a_request_read_but_not_answered_is_not_sent_again() -> None:
    with serving("read-then-hang-up") as (url, recorder), HttpAdapter(url) as adapter:
        assert "result" in adapter.call("describeQuotas", {"regionId": "cn-north-1"}, "alice")
        reply = adapter.call("stopInstance", {"regionId": "cn-north-1", "instanceId": "i-1"}, "alice")
        assert reply["error"]["status"] == "UNAVAILABLE" and "no answer" in reply["error"]["message"]
        # The next request goes out on a new connection.
        assert "result" in adapter.call("describeQuotas", {"regionId": "cn-north-1"}, "alice")
    assert [len(requests) for requests in recorder.connections] == [2, 1]
    assert sum("stop" in line for requests in recorder.connections for line in requests) == 1


def test_a_get_the_server_hung_up_on_is_sent_once_more_signed_anew() -> None:
    # The server's idle timeout meeting the request: the kept-alive connection is found closed, unanswered.
    keys = {"alice": ("AK-ALICE", "alice-secret")}
    with serving("read-then-hang-up") as (url, recorder), HttpAdapter(url, keys) as adapter:
        assert "result" in adapter.call("describeQuotas", {"regionId": "cn-north-1"}, "alice")
        assert "result" in adapter.call("describeInstances", {"regionId": "cn-north-1"}, "alice")
    assert [len(requests) for requests in recorder.connections] == [2, 1]
    assert recorder.connections[0][1] == recorder.connections[1][0]  # the same GET, on a new connection
    assert len(set(recorder.nonces)) == 3  # each sending signed with a nonce of its own


def test_a_get_is_not_sent_again_when_a_new_connection_fails() -> None:
    with serving("hang-up-at-once") as (url, recorder), HttpAdapter(url) as adapter:
        reply = adapter.call("describeQuotas", {"regionId": "cn-north-1"}, "alice")
    assert reply["error"]["status"] == "UNAVAILABLE"
    assert [len(requests) for requests in recorder.connections] == [1]


def test_each_thread_has_its_connection_and_close_closes_them_all() -> None:
    with serving() as (url, recorder):
        origin = Origin(url, 10)
        threads = [threading.Thread(target=lambda: [origin.send("GET", "/", b"", {}) for _ in range(3)])
                   for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert len(origin._open) == 3
        origin.close()
        assert origin._open == []
    assert sorted(len(requests) for requests in recorder.connections) == [3, 3, 3]


def test_a_configured_proxy_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    # The "proxy" is a test server: a request through a proxy names the whole URL in its request line.
    with serving() as (proxy, recorder):
        monkeypatch.setenv("http_proxy", proxy)
        monkeypatch.setenv("no_proxy", "")
        with HttpAdapter("http://vm.example.test:8000") as adapter:
            assert "result" in adapter.call("describeQuotas", {"regionId": "cn-north-1"}, "alice")
    assert recorder.connections[0][0].startswith("GET http://vm.example.test:8000/v1/regions/cn-north-1/quotas")


@pytest.mark.parametrize("url", ["http://127.0.0.1:1", "http://127.0.0.1:notaport", "ftp://127.0.0.1:21"])
def test_no_answer_is_unavailable(url: str) -> None:
    with HttpAdapter(url) as adapter:
        reply = adapter.call("describeQuotas", {"regionId": "cn-north-1"}, "alice")
    assert reply["error"]["status"] == "UNAVAILABLE"


def test_an_adapter_let_go_without_close_closes_its_connection() -> None:
    with serving() as (url, recorder), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert "result" in HttpAdapter(url).call("describeQuotas", {"regionId": "cn-north-1"}, "alice")
        gc.collect()
    assert [w.message for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert len(recorder.connections) == 1


def test_without_keep_alive_each_request_has_its_connection() -> None:
    with serving() as (url, recorder), HttpAdapter(url, keep_alive=False) as adapter:
        for _ in range(3):
            assert "result" in adapter.call("describeQuotas", {"regionId": "cn-north-1"}, "alice")
    assert [len(requests) for requests in recorder.connections] == [1, 1, 1]
