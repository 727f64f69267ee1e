"""``vmrules.server.process``, the helper tests and the pytest plugin start ``vmrules serve`` with: the option
list ``serve_args`` builds, and a ``ServerProcess`` before it starts and after it stopped."""

from __future__ import annotations

import pytest

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
