"""``vmrules serve`` over a real socket (``python -m vmrules.server`` in a subprocess): what only HTTP can get
wrong, the command line, streaming and clients that misbehave. The emulator in process is tested in
test_emulator.py, and the SDK-driven tests are in test_server_sdk.py.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vmrules import World
from vmrules.builders import add_instances
from vmrules.server import Emulator
from vmrules.server.app import MAX_BODY_BYTES
from vmrules.server.http import bind
from vmrules.server.process import ServerProcess, serve_args
from vmrules.server.store import Store

REGION = "cn-north-1"
INSTANCES = f"/v1/regions/{REGION}/instances"


# ---- over a real socket -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def open_server() -> Iterator[ServerProcess]:
    # the raw requests below say "Host: x"; the listen address is accepted too
    # (test_emulator.py: test_only_the_servers_own_host_is_answered)
    with ServerProcess(*serve_args(task_seconds=0, extra=("--allow-host", "x"))) as server:
        yield server
        assert "Traceback" not in server.stderr_text()


def exchange(server: ServerProcess, data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read one response (status, headers, body)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(data)
        buffer = b""
        while b"\r\n\r\n" not in buffer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            buffer += chunk
        head, _, body = buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        # no Content-Length and no chunked coding (HTTP/1.0): the body ends with the connection
        want = int(headers.get("content-length", "-1"))
        if not data.startswith(b"HEAD ") and "transfer-encoding" not in headers:
            while want < 0 or len(body) < want:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                body += chunk
        return int(lines[0].split()[1]), headers, body


def still_answers(server: ServerProcess) -> None:
    code, _, body = exchange(server, f"GET {INSTANCES} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    assert code == 200 and "result" in json.loads(body)


def request(method: str, target: str, body: bytes = b"", *extra: str) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: x", "Connection: close", *extra]
    if body and not any(e.lower().startswith(("content-length", "transfer-encoding")) for e in extra):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@pytest.mark.parametrize(("data", "expected"), [
    (b"GARBAGE\r\n\r\n", (400, "INVALID_ARGUMENT")),
    (b"GET / HTTP/9.9\r\n\r\n", (505, "INVALID_ARGUMENT")),
    (f"GET {INSTANCES}\r\n\r\n".encode(), (505, "INVALID_ARGUMENT")),
    (b"GET / HTTP/1.2\r\nHost: x\r\n\r\n", (505, "INVALID_ARGUMENT")),
    (request("FROB", INSTANCES), (405, "METHOD_NOT_ALLOWED")),
    (request("PUT", INSTANCES, b"{}"), (405, "METHOD_NOT_ALLOWED")),
    (request("GET", "/v2/elsewhere"), (404, "NOT_FOUND")),
    (request("POST", INSTANCES, b"{oops"), (400, "INVALID_ARGUMENT")),
    (request("GET", INSTANCES + "?filters.1.name=a&filters.x.name=b"), (400, "INVALID_ARGUMENT")),
    (request("GET", INSTANCES + "?pageSize=%ZZ"), (400, "INVALID_ARGUMENT")),
    (request("GET", INSTANCES + "?" + "a" * 70_000), (414, "INVALID_ARGUMENT")),
    (request("GET", INSTANCES, b"", *[f"X-H{i}: v" for i in range(120)]), (431, "INVALID_ARGUMENT")),
    (request("POST", INSTANCES, b"x" * (MAX_BODY_BYTES + 10)), (413, "INVALID_ARGUMENT")),
    (request("POST", INSTANCES, b"", "Content-Length: 5000000000"), (413, "INVALID_ARGUMENT")),
    (request("POST", INSTANCES, b"", "Content-Length: -3"), (400, "INVALID_ARGUMENT")),
    (request("POST", INSTANCES, b"2\r\n{}\r\n0\r\n\r\n", "Transfer-Encoding: chunked"), (411, "INVALID_ARGUMENT")),
], ids=["garbage", "http-version", "http-0.9", "http-1.2", "unknown-verb", "wrong-verb", "unknown-path",
        "malformed-json", "query-mix",
        "query-escape", "long-url", "many-headers", "huge-body", "huge-length", "negative-length", "chunked"])
def test_bad_http_gets_a_json_envelope_and_the_server_lives_on(open_server: ServerProcess, data: bytes,
                                                               expected: tuple[int, str]) -> None:
    code, headers, body = exchange(open_server, data)
    envelope = json.loads(body)
    assert (code, envelope["error"]["code"], envelope["error"]["status"]) == (expected[0], *expected)
    assert headers["content-type"].startswith("application/json")
    assert headers["x-jdcloud-request-id"] == envelope["requestId"]
    assert "Traceback" not in body.decode()
    still_answers(open_server)


def test_a_405_says_which_methods_the_path_answers(open_server: ServerProcess) -> None:
    # RFC 9110: a 405 carries Allow; /instances answers describeInstances (GET) and createInstances (POST).
    code, headers, _ = exchange(open_server, request("PUT", INSTANCES, b"{}"))
    assert (code, headers["allow"]) == (405, "GET, POST")
    code, headers, _ = exchange(open_server, request("GET", f"{INSTANCES}/i-1%3AstopInstance"))
    assert (code, headers["allow"]) == (405, "POST")
    # whichever layer refuses: a verb the server does not know, HEAD, an admin endpoint
    for data, allowed in ((request("FROB", INSTANCES), "GET, POST"), (request("HEAD", "/admin/settle"), "POST"),
                          (request("PUT", "/admin/settle", b"{}", "Content-Type: application/json"), "POST"),
                          (request("DELETE", "/admin/world"), "GET, POST, PUT")):
        code, headers, _ = exchange(open_server, data)
        assert (code, headers.get("allow")) == (405, allowed), data


def test_head_is_refused_without_a_body(open_server: ServerProcess) -> None:
    code, headers, body = exchange(open_server, request("HEAD", INSTANCES))
    assert (code, body) == (405, b"")
    assert headers["x-jdcloud-request-id"].startswith("vmrules-")
    still_answers(open_server)


def test_a_client_that_stops_mid_body_does_not_stop_the_server(open_server: ServerProcess) -> None:
    with socket.create_connection(("127.0.0.1", open_server.port), timeout=30) as sock:
        sock.sendall(f"POST {INSTANCES} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{{".encode())
    still_answers(open_server)


def test_keep_alive_connections_serve_many_requests(open_server: ServerProcess) -> None:
    one = f"GET {INSTANCES} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    with socket.create_connection(("127.0.0.1", open_server.port), timeout=30) as sock:
        sock.sendall(one * 3)
        received = b""
        while received.count(b"HTTP/1.1 200") < 3 or not received.endswith(b"}}"):
            chunk = sock.recv(65536)
            assert chunk
            received += chunk
    assert len(re.findall(rb"vmrules-\d{10}", received)) >= 3


def test_head_and_unknown_verbs_name_the_allowed_methods_past_a_query_string(open_server: ServerProcess) -> None:
    for method in ("HEAD", "FROB"):
        code, headers, _ = exchange(open_server, request(method, INSTANCES + "?pageSize=10"))
        assert (code, headers.get("allow")) == (405, "GET, POST"), method


def responses_on_one_connection(server: ServerProcess, data: bytes) -> list[int]:
    """Send raw bytes on one keep-alive connection and read until the server closes it (30 s at most): the
    status of every response it sent."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    # a status line follows the previous body directly (no line break after a JSON body)
    return [int(code) for code in re.findall(rb"HTTP/1\.1 (\d{3}) ", received)]


def smuggled() -> bytes:
    """A whole GET, sent as the body of the request before it (keeping the connection open)."""
    return f"GET {INSTANCES} HTTP/1.1\r\nHost: x\r\n\r\n".encode()


@pytest.mark.parametrize("first", [
    f"HEAD {INSTANCES} HTTP/1.1\r\nHost: x\r\nContent-Length: {{n}}\r\n\r\n",
    f"FROB {INSTANCES} HTTP/1.1\r\nHost: x\r\nContent-Length: {{n}}\r\n\r\n",
    f"POST {INSTANCES}/i-x:stopInstance HTTP/1.1\r\nHost: x\r\nbogus line\r\nContent-Length: {{n}}\r\n\r\n",
    f"POST {INSTANCES}/i-x:stopInstance HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: {{n}}\r\n\r\n",
    f"POST {INSTANCES}/i-x:stopInstance HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\nContent-Length: {{n}}\r\n\r\n",
    f"POST {INSTANCES}/i-x:stopInstance HTTP/1.1\nHost: x\nX-A: a\n b\nContent-Length: {{n}}\n\n",
], ids=["HEAD", "unknown verb", "line without a colon", "two lengths", "folded line", "folded, bare LF"])
def test_a_body_is_never_taken_for_the_next_request(open_server: ServerProcess, first: str) -> None:
    """The body of a HEAD or of a verb no route takes is read like any other; a header section the library
    could not read whole is refused (a Content-Length after a bad line was dropped, and the body answered)."""
    body = smuggled()
    last = request("GET", INSTANCES)  # answered, then the connection closes: what was answered before it shows
    statuses = responses_on_one_connection(open_server, first.format(n=len(body)).encode() + body + last)
    # a refusal, then the last GET where the connection was kept; a third answer would be the smuggled GET's
    assert statuses in ([400], [405, 200]), statuses


def test_two_host_headers_are_refused(open_server: ServerProcess) -> None:
    code, _, body = exchange(open_server, f"GET {INSTANCES} HTTP/1.1\r\nHost: x\r\nHost: evil.example\r\n"
                                          "Connection: close\r\n\r\n".encode())
    assert code == 400 and "more than one Host" in json.loads(body)["error"]["message"]


def test_head_and_unknown_verbs_meet_the_host_check_and_unknown_paths(open_server: ServerProcess) -> None:
    assert exchange(open_server, request("HEAD", "/nothing"))[0] == 404
    assert exchange(open_server, request("OPTIONS", "/nothing"))[0] == 404
    wrong_host = f"HEAD {INSTANCES} HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n".encode()
    assert exchange(open_server, wrong_host)[0] == 421


def test_an_http_0_9_request_line_is_answered_at_once(open_server: ServerProcess) -> None:
    """A 0.9 client sends the request line alone and waits: the 505 cannot wait for a header section."""
    with socket.create_connection(("127.0.0.1", open_server.port), timeout=10) as sock:
        sock.sendall(f"GET {INSTANCES}\r\n".encode())
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 505 ") and b"HTTP/0.9 is not supported" in answer


def test_a_verbose_server_logs_an_http_0_9_line_like_any_other() -> None:
    line = f'"GET {INSTANCES}" 505'
    with ServerProcess("--no-auth", "--verbose") as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(f"GET {INSTANCES}\r\n".encode())
            assert sock.recv(65536).startswith(b"HTTP/1.1 505 ")
        for _ in range(100):  # the line is written just after the answer is sent: wait for it, 5 s at most
            if line in server.stderr_text():
                break
            time.sleep(0.05)
        logged = server.stderr_text()
    assert line in logged and "Exception" not in logged and "Traceback" not in logged, logged


def test_one_empty_line_before_the_request_line_is_ignored(open_server: ServerProcess) -> None:
    code, _, body = exchange(open_server, b"\r\n" + request("GET", INSTANCES))
    assert code == 200 and "result" in json.loads(body)
    # the request line after it is held to the library's 64 KiB as any request line is
    target = INSTANCES + "?x=" + "a" * (65537 - len(f"GET {INSTANCES}?x= HTTP/1.1\r\n"))
    assert len(f"GET {target} HTTP/1.1\r\n") == 65537
    assert exchange(open_server, b"\r\n" + request("GET", target))[0] == 414
    assert exchange(open_server, request("GET", target))[0] == 414  # the same line with no empty line first
    longest = target[:-1]  # 65536 bytes with its line end: the longest request line the library reads
    for data in (b"\r\n" + request("GET", longest), request("GET", longest)):
        assert exchange(open_server, data)[0] == 200


@pytest.mark.parametrize("body", [b'"x"', b'""', b"null", b"[1]", b"7"])
def test_a_body_that_is_no_json_object_is_refused_as_such(open_server: ServerProcess, body: bytes) -> None:
    code, _, answer = exchange(open_server, request("POST", f"{INSTANCES}/i-x:stopInstance", body))
    assert (code, json.loads(answer)["error"]["message"]) == (400, "the body must be a JSON object")


@pytest.mark.parametrize("length", ["1e3", "-3", "0x10", "5 5"])
def test_a_content_length_is_a_count_in_ascii_digits(open_server: ServerProcess, length: str) -> None:
    code, _, body = exchange(open_server, request("POST", INSTANCES, b"", f"Content-Length: {length}"))
    assert code == 400 and "is not a byte count" in json.loads(body)["error"]["message"]


def test_a_library_refusal_says_what_the_library_found(open_server: ServerProcess) -> None:
    code, _, body = exchange(open_server, b"GARBAGE\r\n\r\n")
    assert code == 400 and "GARBAGE" in json.loads(body)["error"]["message"]  # "Bad request syntax ('GARBAGE')"


def test_a_body_of_exactly_the_limit_is_read_and_one_over_is_drained_keeping_the_connection(
        open_server: ServerProcess) -> None:
    stop = f"{INSTANCES}/i-nosuch:stopInstance"
    connection = http.client.HTTPConnection("127.0.0.1", open_server.port, timeout=30)
    try:
        connection.request("POST", stop, body=b"{}" + b" " * (MAX_BODY_BYTES - 2), headers={"Host": "x"})
        read = connection.getresponse()
        assert read.status == 404  # read, routed, and the instance is not found
        read.read()
        connection.request("POST", stop, body=b" " * (MAX_BODY_BYTES + 1), headers={"Host": "x"})
        refused = connection.getresponse()
        assert (refused.status, refused.getheader("Connection")) == (413, None)  # drained: the connection stays
        refused.read()
        kept = connection.sock
        connection.request("GET", INSTANCES, headers={"Host": "x"})
        after = connection.getresponse()
        assert after.status == 200 and connection.sock is kept
        after.read()
    finally:
        connection.close()


def test_verbose_logs_every_answer_on_stderr_and_the_default_logs_none(open_server: ServerProcess) -> None:
    expected = [f'"GET {INSTANCES} HTTP/1.1" 200', '"GET /admin/world HTTP/1.1" 200', '"FROB /x HTTP/1.1" 404']
    with ServerProcess(*serve_args(task_seconds=0, extra=("--verbose", "--allow-host", "x"))) as server:
        still_answers(server)
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        connection.request("GET", "/admin/world", headers={"Host": "x"})
        connection.getresponse().read()  # streamed in chunks, read to its end
        connection.close()
        exchange(server, request("FROB", "/x"))
        logged = server.stderr_text()
        for _ in range(100):  # a line is written just after its answer: wait for it, 5 s at most
            if all(line in logged for line in expected):
                break
            time.sleep(0.05)
            logged = server.stderr_text()
    assert all(line in logged for line in expected), logged
    still_answers(open_server)  # the quiet server has answered this and the other tests' requests by now
    assert "HTTP/1.1\" 200" not in open_server.stderr_text()


# ---- the command line ----------------------------------------------------------------------------------------


def serve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vmrules", "serve", *args], capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize(("args", "says"), [
    ((), "--credentials"),
    (("--no-auth", "--task-seconds", "-1"), "--task-seconds"),
    (("--no-auth", "--task-seconds", "nan"), "--task-seconds"),
    (("--credentials", "/nonexistent/keys.json"), "keys.json"),
    (("--no-auth", "--world", "/nonexistent/world.json"), "world.json"),
    (("--no-auth", "--port", "65536"), "--port must be 0 (a free port) to 65535"),
    (("--no-auth", "--port", "-1"), "--port must be 0 (a free port) to 65535"),
])
def test_bad_command_lines_exit_2_with_one_line(args: tuple[str, ...], says: str) -> None:
    result = serve(*args)
    assert result.returncode == 2
    assert says in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_task_seconds_inf_leaves_every_task_to_admin_settle() -> None:
    """What vmrules conform --url expects of a server: tasks in progress until it settles them."""
    def call(server: ServerProcess, method: str, path: str, body: dict[str, object] | None = None) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        with urllib.request.urlopen(urllib.request.Request(server.url + path, data, headers, method=method),
                                    timeout=30) as response:
            return dict(json.loads(response.read()))

    spec = {"az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": "img-centos7lcl", "name": "inf",
            "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
            "systemDisk": {"diskCategory": "local"}}
    with ServerProcess("--no-auth", "--frozen-clock", "--task-seconds", "inf") as server:
        created = call(server, "POST", "/v1/regions/cn-north-1/instances", {"instanceSpec": spec})
        iid = created["result"]["instanceIds"][0]
        time.sleep(1.1)  # past a second of wall time: a finite delay would have let the task go by now
        shown = call(server, "GET", f"/v1/regions/cn-north-1/instances/{iid}")
        assert shown["result"]["instance"]["status"] == "pending"
        call(server, "POST", "/admin/settle", {})
        assert call(server, "GET", f"/v1/regions/cn-north-1/instances/{iid}")["result"]["instance"]["status"] == \
            "running"


def test_a_world_file_is_read_as_everywhere_else_and_named_when_it_is_no_snapshot(tmp_path: Path) -> None:
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + World.default().to_json().encode())  # a byte-order mark is allowed
    with ServerProcess("--no-auth", "--world", str(bom)) as server:
        assert server.alive()
    bad = tmp_path / "bad.json"
    bad.write_text('{"clock": 5}')
    result = serve("--no-auth", "--world", str(bad))
    assert result.returncode == 2 and f"vmrules serve: {bad}: " in result.stderr and "clock" in result.stderr


def test_bad_files_exit_2(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"AK": {"secretKey": 5, "pin": "alice"}}))
    assert serve("--credentials", str(keys)).returncode == 2
    world = tmp_path / "world.json"
    world.write_text('{"instances": 3}')
    result = serve("--no-auth", "--world", str(world))
    assert result.returncode == 2 and "instances" in result.stderr


def test_a_port_in_use_exits_2(open_server: ServerProcess) -> None:
    result = serve("--no-auth", "--port", str(open_server.port))
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_vmrules_serve_starts_the_emulator(tmp_path: Path) -> None:
    """`vmrules serve` (the CLI) and `python -m vmrules.server` are the same program."""
    state = tmp_path / "state.db"
    server = ServerProcess()
    server.args = [sys.executable, "-m", "vmrules", "serve", *serve_args(state=str(state)), "--port", "0",
                   "--clock", "world", "--allow-host", "x"]
    with server:
        still_answers(server)
        assert "WARNING --no-auth" in server.stderr_text()  # open admin is said out loud
        server.stop()
        stderr = server.stderr_text()
    assert server.process is not None and server.process.returncode == 0, stderr  # stopped by SIGTERM, cleanly
    # a clean stop leaves no -wal or -shm
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.db"], stderr
    store = Store.open(state, World.default())
    assert store.load() == World.default()
    store.close()


def test_a_trickled_body_is_cut_off_and_stalls_no_one() -> None:
    with ServerProcess(*serve_args(extra=("--body-timeout", "2", "--allow-host", "x"))) as server, \
            socket.create_connection(("127.0.0.1", server.port), timeout=30) as slow:
        slow.sendall(b"PUT /admin/world HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100000\r\n\r\n{")
        started = time.monotonic()
        for _ in range(3):  # answered while the slow body is pending (1 byte a second would take a day)
            slow.sendall(b" ")
            still_answers(server)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = slow.recv(65536)
            if not chunk:
                break
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 408 ") and b"DEADLINE_EXCEEDED" in answer + slow.recv(65536)
        assert time.monotonic() - started < 25  # cut off at the server's deadline, not the client's pace


def test_admin_world_is_streamed_in_chunks(open_server: ServerProcess) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", open_server.port, timeout=30)
    connection.request("GET", "/admin/world")
    response = connection.getresponse()
    assert response.getheader("Transfer-Encoding") == "chunked" and response.getheader("Content-Length") is None
    snapshot = json.loads(response.read())["result"]
    connection.close()
    assert World.from_dict(snapshot).instances is not None
    code, headers, body = exchange(open_server, b"GET /admin/world HTTP/1.0\r\nHost: x\r\n\r\n")
    assert code == 200 and "transfer-encoding" not in headers  # HTTP/1.0: the body ends with the connection
    again = json.loads(body)["result"]
    # this server's clock follows wall time, so the two reads may straddle a second: all else is the same
    assert again["clock"] >= snapshot["clock"]
    assert {**again, "clock": None} == {**snapshot, "clock": None}


def test_a_client_that_hangs_up_mid_answer_is_let_go_quietly() -> None:
    # a snapshot far larger than both sockets' buffers, so the server is still writing when the client resets
    _, world = add_instances(World.default(), 200, owner="alice")
    _, world = add_instances(world, 200, owner="alice", subnet_id="subnet-main00001b")
    server = bind(Emulator(world, auth=False), port=0)
    failures: list[BaseException] = []

    def serve_one() -> None:
        connection, address = server.get_request()
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        try:
            server.finish_request(connection, address)
        except BaseException as exc:  # what the library's handle_error would print as a traceback
            failures.append(exc)
        finally:
            server.shutdown_request(connection)

    worker = threading.Thread(target=serve_one)
    try:
        worker.start()
        with socket.socket() as client:
            client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            client.connect(server.server_address[:2])
            client.sendall(b"GET /admin/world HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert client.recv(1024).startswith(b"HTTP/1.1 200 ")
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = reset
        worker.join(timeout=30)
        assert not worker.is_alive() and failures == []
    finally:
        server.server_close()
    assert len(world.to_json()) > 200_000
