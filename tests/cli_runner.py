"""Run the ``vmrules`` command line inside the test process, as a subprocess would see it.

Most CLI tests check what a command prints and the exit status; a fresh interpreter per call (about 0.6 s of
imports each) made them the slowest part of the suite. ``run_cli`` calls ``vmrules.cli.main`` with real text
streams over bytes (so ``sys.stdin.buffer`` and ``reconfigure`` work as in a process), the given stdin and
working directory, turns ``SystemExit`` (argparse) into the exit status and returns a
``subprocess.CompletedProcess``. A few tests still start ``python -m vmrules`` and the console script for real
(tests/test_cli.py ``ENTRY_POINTS``), so the process entry points stay covered.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from vmrules.cli import main


def _stream(data: bytes = b"") -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=None, write_through=True)


@contextmanager
def _working_directory(cwd: Path | None) -> Iterator[None]:
    before = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(before)


def run_cli(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``vmrules ARGS`` in process: (returncode, stdout, stderr) as ``subprocess.run(..., text=True)`` gives."""
    saved = sys.stdin, sys.stdout, sys.stderr
    stdin_stream = _stream((stdin or "").encode("utf-8"))
    out, err = _stream(), _stream()
    sys.stdin, sys.stdout, sys.stderr = stdin_stream, out, err
    try:
        with _working_directory(cwd):
            try:
                code = main(list(args))
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 2)
                if exit_.code is not None and not isinstance(exit_.code, int):
                    err.write(f"{exit_.code}\n")
        out.flush()
        err.flush()
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    text = (out.buffer.getvalue().decode("utf-8", "replace").replace("\r\n", "\n"),  # type: ignore[attr-defined]
            err.buffer.getvalue().decode("utf-8", "replace").replace("\r\n", "\n"))  # type: ignore[attr-defined]
    return subprocess.CompletedProcess(["vmrules", *args], code, *text)
