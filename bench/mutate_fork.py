"""Fork server for bench/mutate.py: one process per tree copy that has imported pytest and the third-party
libraries the tests use, but nothing of vmrules; every test run is a fresh ``os.fork()`` child of it.

A child imports vmrules (the mutated copy in its tree) and the test files from scratch, runs ``pytest.main`` and
exits, so no mutant ever shares a module object with another; what the fork saves is only the start-up of Python,
pytest, pydantic, hypothesis and the SDKs, which is most of a short run's cost. The server reads one JSON request
per line on stdin (``{"args": [...], "timeout": s}``) and answers one JSON line on stdout (``{"code": exit status
or null on timeout, "output": pytest's output}``).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any


def _serve(tree: Path, preload: list[str]) -> int:
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]  # bench/'s scripts are no test's
    for name in preload:
        try:
            importlib.import_module(name)
        except Exception:  # a library that does not import here is just not preloaded
            continue
    leaked = sorted(m for m in sys.modules if m == "vmrules" or m.startswith(("vmrules.", "pytest_vmrules")))
    if leaked:  # a preloaded library imported vmrules: children would share it, so refuse to serve
        print(json.dumps({"error": f"preloading imported {leaked[:3]}"}), flush=True)
        return 1
    print(json.dumps({"ready": len(preload)}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        print(json.dumps(_run_child(tree, list(request["args"]), list(request.get("only", ())),
                                    float(request["timeout"]))), flush=True)
    return 0


class _Only:
    """pytest plugin: run only these node ids, in this order (node ids with parameters pytest cannot parse back
    from a command line, such as escaped non-ASCII ones, are matched here as collected)."""

    def __init__(self, node_ids: list[str]) -> None:
        self.order = {node_id: n for n, node_id in enumerate(node_ids)}

    def pytest_collection_modifyitems(self, config: Any, items: list[Any]) -> None:
        kept = sorted((item for item in items if item.nodeid in self.order), key=lambda i: self.order[i.nodeid])
        config.hook.pytest_deselected(items=[item for item in items if item.nodeid not in self.order])
        items[:] = kept


def _run_child(tree: Path, args: list[str], only: list[str], timeout: float) -> dict[str, Any]:
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as output:
        pid = os.fork()
        if pid == 0:  # the child: its own process group (so a timeout kills what it started), output to the file
            code = 70
            try:
                os.setpgid(0, 0)
                os.dup2(output.fileno(), 1)
                os.dup2(output.fileno(), 2)
                sys.stdin.close()
                import pytest

                code = int(pytest.main(args, plugins=[_Only(only)] if only else []))
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
        deadline = time.monotonic() + timeout
        status: int | None = None
        while status is None:
            done, raw = os.waitpid(pid, os.WNOHANG)
            if done:
                status = os.waitstatus_to_exitcode(raw)
            elif time.monotonic() > deadline:
                _kill_group(pid)
                os.waitpid(pid, 0)
                break
            else:
                time.sleep(0.02)
        output.seek(0)
        return {"code": status, "output": output.read()}


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the child may have exited just now
        os.killpg(pid, signal.SIGKILL)


class ForkServer:
    """The runner's handle on one server process for one tree."""

    def __init__(self, tree: Path, env: dict[str, str], preload: list[str]) -> None:
        self.process = subprocess.Popen([sys.executable, __file__, str(tree), *preload], cwd=tree, env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        answer = json.loads(self._stdout().readline() or '{"error": "the fork server exited"}')
        if "error" in answer:
            raise SystemExit(f"fork server: {answer['error']}")

    def _stdout(self) -> IO[str]:
        assert self.process.stdout is not None  # opened with stdout=PIPE
        return self.process.stdout

    def run(self, args: list[str], timeout: float, only: list[str] | None = None) -> tuple[int | None, str]:
        """(pytest's exit status or None on timeout, its output) of one fresh child; with ``only``, just those
        node ids of the files in ``args``, in that order."""
        assert self.process.stdin is not None  # opened with stdin=PIPE
        self.process.stdin.write(json.dumps({"args": args, "only": only or [], "timeout": timeout}) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self._stdout().readline())
        code = answer["code"]
        return (None if code is None else int(code)), str(answer["output"])

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


if __name__ == "__main__":  # python bench/mutate_fork.py TREE MODULE... (started by ForkServer)
    raise SystemExit(_serve(Path(sys.argv[1]), sys.argv[2:]))
