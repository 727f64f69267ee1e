"""Measure the conformance kit: how often and how fast each faulty implementation is found, and how much the
self-test covers. Prints the Markdown tables of docs/conformance.md.

Run: ``python property_tests/conformance_detection.py [seeds]`` (default 10 seeds: 0..seeds-1, each a full
``run_conformance`` with the default settings). Deterministic for a given hypothesis version.
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings
from collections.abc import Callable

from vmrules.testing.adapters import EmulatorProcess, HttpAdapter, InProcessAdapter, SystemAdapter
from vmrules.testing.conformance import KitSettings, run_conformance
from vmrules.testing.faulty import FAULTS


def detection(seeds: int) -> None:
    print("| fault | rule reported | detected | steps to detection (median / max) | runs (median) | "
          "seconds per run (median) |")
    print("|---|---|---|---|---|---|")
    for f in FAULTS:
        found, steps, runs, seconds, rules = 0, [], [], [], set()
        for seed in range(seeds):
            start = time.perf_counter()
            report = run_conformance(f.make, seed=seed)
            seconds.append(time.perf_counter() - start)
            if not report.ok and report.rule in f.rules and report.first_detection is not None:
                found += 1
                runs.append(report.first_detection[0])
                steps.append(report.first_detection[2])
                rules.add(report.rule or "")
        shown = ", ".join(sorted(rules)) if len(rules) <= 2 else f"{len(rules)} STATE rules"
        print(f"| {f.name} | {shown} | {found}/{seeds} | "
              f"{statistics.median(steps) if steps else '-'} / {max(steps) if steps else '-'} | "
              f"{statistics.median(runs) if runs else '-'} | {statistics.median(seconds):.2f} |")


def _factory(url: str | None) -> Callable[[], SystemAdapter]:
    return InProcessAdapter if url is None else (lambda: HttpAdapter(url))


def self_test(seeds: int) -> None:
    print("\n| self-test | seeds | runs | steps compared | skipped (not carried) | distinct rules refused | "
          "seconds |")
    print("|---|---|---|---|---|---|---|")
    for name in ("in process", "HTTP (emulator)"):
        runs = steps = skipped = 0
        rules: set[str] = set()
        start = time.perf_counter()
        with EmulatorProcess() as emulator:
            factory = _factory(emulator.url if name.startswith("HTTP") else None)
            for seed in range(seeds):
                report = run_conformance(factory, seed=seed, settings=KitSettings())
                assert report.ok, report.explanation
                runs += report.examples
                steps += report.steps
                skipped += report.skipped
                rules |= set(report.rules_hit)
        print(f"| {name} | {seeds} | {runs} | {steps} | {skipped} | {len(rules)} | "
              f"{time.perf_counter() - start:.1f} |")


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    detection(count)
    self_test(min(count, 5))
