"""Run ``python -m vmrules.server`` in a subprocess: for test suites that want the emulator on a real port.

```python
with ServerProcess("--credentials", "keys.json") as server:
    client = VmClient(credential, Config(endpoint=server.endpoint, scheme="http"))
```

The server picks a free port (``--port 0``) and announces it on stdout; ``start`` waits for that line. Its stderr
goes to a file, ``stderr_text()`` reads it back (tests assert it holds no traceback).
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from types import TracebackType
from typing import IO, Self

START_SECONDS = 60.0  # how long start() waits for the port to be announced


class ServerProcess:
    """One emulator process. ``args`` are ``vmrules serve`` options (``--port 0`` is added unless given)."""

    def __init__(self, *args: str, python: str = sys.executable) -> None:
        self.args: list[str] = [python, "-m", "vmrules.server", *args]
        if "--port" not in args:
            self.args += ["--port", "0"]
        self.process: subprocess.Popen[str] | None = None
        self.url = ""
        self._stderr: IO[str] | None = None

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    @property
    def endpoint(self) -> str:
        """``host:port``, the form the SDK's ``Config(endpoint=...)`` takes."""
        return self.url.split("://", 1)[1]

    def start(self, timeout: float = START_SECONDS) -> str:
        """Start the process and return its base URL; RuntimeError (with its stderr) if it does not announce
        its port within ``timeout`` seconds, or announces something else."""
        self._stderr = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed by __exit__
        # O_APPEND: the child writes at the end whatever the offset, so reading the file back (stderr_text moves
        # the offset the child shares) never puts a later line on top of an earlier one. The mode "a+" would
        # not set it on a file that is already open.
        fd = self._stderr.fileno()
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_APPEND)
        self.process = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=self._stderr, text=True)
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else ""
        try:
            self.url = str(json.loads(line)["listening"])
        except (ValueError, KeyError, TypeError):
            if not ready:
                self.process.kill()
            self.process.wait(timeout=30)
            said = repr(line) if ready else f"nothing on stdout in {timeout:g} s"
            raise RuntimeError(f"the emulator did not start: {said} {self.stderr_text()!r}") from None
        return self.url

    def stderr_text(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to clean up (what a crash looks like)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """Terminate and wait (SIGKILL after 10 s)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
        if self._stderr is not None:
            self._stderr.close()


def serve_args(*, credentials: str | None = None, world: str | None = None, state: str | None = None,
               task_seconds: float | None = None, frozen_clock: bool = False, clock: str | None = None,
               extra: Sequence[str] = ()) -> list[str]:
    """The option list for ``ServerProcess`` from keyword arguments (``--no-auth`` when no credentials).
    ``clock`` is ``--clock``; with a frozen clock it defaults to ``world`` (a reproducible run starts at the
    snapshot's own clock, as ``vmrules.execute`` on that snapshot does), else to the server's default (wall)."""
    args = ["--credentials", credentials] if credentials else ["--no-auth"]
    if world:
        args += ["--world", world]
    if state:
        args += ["--state", state]
    if task_seconds is not None:
        args += ["--task-seconds", repr(task_seconds)]
    if frozen_clock:
        args.append("--frozen-clock")
    clock = clock or ("world" if frozen_clock else None)
    if clock:
        args += ["--clock", clock]
    return [*args, *extra]
