"""Same world and request give the same outcome byte for byte, across processes too.

Persistent maps iterate in hash order, and Python randomises string hashes per process: this runs the example
traces under different hash seeds and compares the final worlds and the printed outcomes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TRACES = ["lifecycle", "disk-limit", "image-sharing", "resize-generations"]


def _run(trace: str, seed: str, out: Path) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-m", "vmrules", "run", str(ROOT / "examples" / f"{trace}.jsonl"),
                           "--out", str(out)], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("trace", TRACES)
def test_outcomes_do_not_depend_on_the_hash_seed(trace: str, tmp_path: Path) -> None:
    first = _run(trace, "1", tmp_path / "a.json")
    second = _run(trace, "977", tmp_path / "b.json")
    assert first == second
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
