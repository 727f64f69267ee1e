"""What the conformance kit and a listing cost, optionally beside an earlier commit. Run:
``python bench/kit.py [--rounds 3] [--steps 40] [--examples 30] [--baseline COMMIT] [--json FILE]``.

Two figures, in processor time: one in-process self-test run (``run_conformance`` of ``InProcessAdapter``,
seed 0, the rule sweep included unless ``--no-sweep``: the reference against itself, so both sides cost alike) and one
describeInstances page of 100 rows in a world of 100 instances (median of 7 runs of 30 calls, the collector
on, as a user calls it). Each round measures them in a new interpreter.

With ``--baseline``, the commit is checked out into a temporary git worktree and the two trees take turns
within each round (each interpreter imports its tree's ``vmrules`` through ``PYTHONPATH``), so load from
elsewhere on the machine falls on both alike; each ratio is the median of the rounds' ratios (baseline / this
tree: above 1 means this tree is faster). The worktree is removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _cpu(fn: Callable[[], object], number: int) -> float:
    start = time.process_time()
    for _ in range(number):
        fn()
    return (time.process_time() - start) / number


def measure_here(steps: int, examples: int, sweep: bool) -> dict[str, float]:
    """Both figures, for the ``vmrules`` this interpreter imports."""
    from vmrules import World, execute
    from vmrules.builders import add_instances
    from vmrules.testing.adapters import InProcessAdapter
    from vmrules.testing.conformance import KitSettings, run_conformance

    _, world = add_instances(World.default(), 100, name="bench")
    page = {"regionId": "cn-north-1", "pageSize": 100}
    assert len(execute(world, "describeInstances", page).result["instances"]) == 100
    page_ms = statistics.median(_cpu(lambda: execute(world, "describeInstances", page), 30) for _ in range(7)) * 1e3
    start = time.process_time()
    report = run_conformance(InProcessAdapter, steps=steps, examples=examples, seed=0,
                             settings=KitSettings(sweep=sweep))
    self_test_s = time.process_time() - start
    assert report.ok, report.explanation
    return {"describeInstances, 100 rows (ms)": page_ms, "self-test run (s)": self_test_s}


def _in_new_interpreter(tree: Path, steps: int, examples: int, sweep: bool) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--here", "--steps", str(steps),
                           "--examples", str(examples), *([] if sweep else ["--no-sweep"])], env=env,
                          capture_output=True, text=True, check=True, timeout=1800)
    figures: dict[str, float] = json.loads(done.stdout)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--examples", type=int, default=30)
    parser.add_argument("--no-sweep", action="store_true", help="the self-test run without its rule sweep")
    parser.add_argument("--baseline", metavar="COMMIT", help="measure this commit too, taking turns")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--here", action="store_true", help=argparse.SUPPRESS)  # one measurement, as JSON
    args = parser.parse_args(argv)
    if args.here:
        print(json.dumps(measure_here(args.steps, args.examples, not args.no_sweep)))
        return 0
    trees = {"this tree": ROOT}
    with tempfile.TemporaryDirectory() as scratch:
        if args.baseline:
            baseline = Path(scratch) / "baseline"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(baseline),
                            args.baseline], check=True)
            trees = {f"baseline {args.baseline}": baseline, **trees}
        try:
            samples: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
            for _ in range(args.rounds):
                for name, tree in trees.items():
                    samples[name].append(_in_new_interpreter(tree, args.steps, args.examples, not args.no_sweep))
        finally:
            if args.baseline:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(baseline)],
                               check=False)
    rows = list(next(iter(samples.values()))[0])
    figures: dict[str, dict[str, float]] = {
        row: {name: statistics.median(s[row] for s in runs) for name, runs in samples.items()} for row in rows}
    if args.baseline:
        first, here = samples[f"baseline {args.baseline}"], samples["this tree"]
        for row in rows:
            figures[row]["baseline / this tree"] = statistics.median(
                b[row] / h[row] for b, h in zip(first, here, strict=True))
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores, "
          f"{args.rounds} rounds, self-test {args.steps} steps x {args.examples} examples")
    for row, values in figures.items():
        print(f"{row:36}" + "  ".join(f"{name}: {value:.2f}" for name, value in values.items()))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
