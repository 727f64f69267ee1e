"""Same world and request give the same outcome byte for byte, across processes too.

Persistent maps iterate in hash order, and Python randomises string hashes per process: this runs the example
traces under two hash seeds (one interpreter per seed, every trace in it) and compares the final worlds and
the printed outcomes trace by trace.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRACES = ["lifecycle", "disk-limit", "image-sharing", "resize-generations"]

# Runs `vmrules run TRACE --out OUT` for each trace in one interpreter; prints {trace: [status, stdout]}.
_RUNNER = """
import contextlib, io, json, sys
from vmrules.cli import main
results = {}
for trace, trace_path, out in json.loads(sys.argv[1]):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = main(["run", trace_path, "--out", out])
    results[trace] = [status, printed.getvalue()]
sys.stdout.write(json.dumps(results))
"""


def _run_all(seed: str, out_dir: Path) -> dict[str, list[object]]:
    out_dir.mkdir()
    jobs = [(t, str(ROOT / "examples" / f"{t}.jsonl"), str(out_dir / f"{t}.json")) for t in TRACES]
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-c", _RUNNER, json.dumps(jobs)], capture_output=True, text=True,
                          env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    results: dict[str, list[object]] = json.loads(done.stdout)
    return results


def test_outcomes_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    first = _run_all("1", tmp_path / "a")
    second = _run_all("977", tmp_path / "b")
    for trace in TRACES:
        assert first[trace][0] == 0, (trace, first[trace][1])
        assert first[trace] == second[trace], trace
        assert (tmp_path / "a" / f"{trace}.json").read_bytes() == (tmp_path / "b" / f"{trace}.json").read_bytes(), trace
