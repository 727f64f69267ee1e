"""``vmrules.server.process``, the helper tests and the pytest plugin start ``vmrules serve`` with: the option
list ``serve_args`` builds, and a ``ServerProcess`` before it starts and after it stopped."""

from __future__ import annotations

import io
import signal
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from vmrules.server import main
from vmrules.server.process import ServerProcess, serve_args


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({}, ["--no-auth"]),
    ({"credentials": "k.json", "world": "w.json", "state": "s.db", "task_seconds": 2.5},
     ["--credentials", "k.json", "--world", "w.json", "--state", "s.db", "--task-seconds", "2.5"]),
    ({"frozen_clock": True}, ["--no-auth", "--frozen-clock", "--clock", "world"]),  # a frozen run starts at the
    ({"frozen_clock": True, "clock": "wall"}, ["--no-auth", "--frozen-clock", "--clock", "wall"]),  # world's clock
    ({"clock": "world", "extra": ("--verbose",)}, ["--no-auth", "--clock", "world", "--verbose"]),
])
def test_serve_args_writes_the_options_it_is_given(kwargs: dict[str, object], expected: list[str]) -> None:
    assert serve_args(**kwargs) == expected  # type: ignore[arg-type]


def test_a_server_process_never_started_is_not_alive_and_stops_quietly() -> None:
    server = ServerProcess("--no-auth")
    assert server.args[-2:] == ["--port", "0"]
    assert not server.alive() and server.stderr_text() == ""
    server.kill()
    server.stop()
    server.__exit__(None, None, None)
    assert not server.alive()


def test_a_stopped_server_process_is_not_alive_and_keeps_its_stderr_whole() -> None:
    with ServerProcess("--no-auth", "--allow-host", "x") as server:
        assert server.alive() and server.endpoint.startswith("127.0.0.1:")
        server.stop()
        assert not server.alive()
        assert server.stderr_text().startswith("vmrules serve: WARNING --no-auth")
        server.stop()  # a second stop does nothing
    assert server.process is not None and server.process.returncode == 0


class _SignalAtAnnouncement(io.StringIO):
    """stdout for an in-process ``vmrules serve``: when the port is announced it notes the SIGTERM handler and,
    if one is there to catch it, sends SIGTERM (a supervisor that stops the server as soon as it reads the line)."""

    def __init__(self) -> None:
        super().__init__()
        self.handler_at_announcement: object = None

    def write(self, text: str) -> int:
        written = super().write(text)
        if '"listening"' in text:
            self.handler_at_announcement = signal.getsignal(signal.SIGTERM)
            if not callable(self.handler_at_announcement):
                raise RuntimeError("the port was announced before SIGTERM had a handler")
            signal.raise_signal(signal.SIGTERM)
        return written


def test_sigterm_right_after_the_announcement_stops_the_server_cleanly(monkeypatch: pytest.MonkeyPatch,
                                                                        tmp_path: Path) -> None:
    out = _SignalAtAnnouncement()
    monkeypatch.setattr(sys, "stdout", out)
    before = signal.getsignal(signal.SIGTERM)
    state = tmp_path / "state.db"
    assert main(["--no-auth", "--port", "0", "--host", "127.0.0.1", "--state", str(state)]) == 0
    assert callable(out.handler_at_announcement) and '"listening": "http://127.0.0.1:' in out.getvalue()
    assert signal.getsignal(signal.SIGTERM) == before  # put back as it was
    assert state.exists() and not Path(f"{state}-wal").exists()  # the store was closed, its log checkpointed


def test_reading_stderr_while_the_server_writes_loses_no_line() -> None:
    """stderr_text moves the offset of the file the server writes to; the server appends, so no line lands on
    top of another (with an ordinary file, a third of the lines were lost under a reader polling like this)."""
    requests = 120
    with ServerProcess("--no-auth", "--verbose") as server:
        done = threading.Event()

        def poll() -> None:
            while not done.is_set():
                server.stderr_text()

        reader = threading.Thread(target=poll)
        reader.start()
        try:
            for _ in range(requests):
                url = f"{server.url}/v1/regions/cn-north-1/instances"
                with urllib.request.urlopen(url, timeout=30) as answer:
                    answer.read()
        finally:
            done.set()
            reader.join(timeout=30)
        line = '"GET /v1/regions/cn-north-1/instances HTTP/1.1" 200'
        for _ in range(100):  # the last line is written just after its answer: wait for it, 5 s at most
            if server.stderr_text().count(line) >= requests:
                break
            time.sleep(0.05)
        logged = server.stderr_text()
    assert logged.startswith("vmrules serve: WARNING --no-auth")
    assert logged.count(line) == requests


def test_a_process_that_announces_nothing_is_stopped_after_the_timeout() -> None:
    silent = ServerProcess()
    silent.args = [sys.executable, "-c", "import time; time.sleep(120)"]
    with pytest.raises(RuntimeError, match=r"nothing on stdout in 0\.5 s"):
        silent.start(timeout=0.5)
    assert not silent.alive()
    silent.stop()


def test_a_process_that_announces_something_else_is_reported_with_what_it_said() -> None:
    chatty = ServerProcess()
    chatty.args = [sys.executable, "-c", "import sys; print('hello'); print('oops', file=sys.stderr)"]
    with pytest.raises(RuntimeError, match=r"did not start: 'hello\\n' 'oops\\n'"):
        chatty.start()
    assert not chatty.alive()
    chatty.stop()
