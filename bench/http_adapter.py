"""The conformance kit over HTTP: ``HttpAdapter`` with kept-alive connections beside a new connection per
request (``keep_alive=False``, what the adapter did before). Run: ``python bench/http_adapter.py``.

One emulator (``EmulatorProcess``) serves both sides. Two rows: milliseconds per request of the adapter's
``call`` (describeInstances, the kit's most frequent request) and seconds of a whole small kit run
(``run_conformance``, seed 0). The two sides take turns within each round; each figure is the median over the
rounds, and each ratio the median of the rounds' ratios. Wall time: the requests wait on another process.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable

from vmrules import World
from vmrules.testing.adapters import EmulatorProcess, HttpAdapter
from vmrules.testing.conformance import KitSettings, run_conformance

SIDES = {"kept alive": True, "a new connection each": False}
DEFAULT = World.default().to_dict()


def per_request_ms(url: str, keep_alive: bool, requests: int) -> float:
    with HttpAdapter(url, keep_alive=keep_alive) as adapter:
        assert adapter.reset(DEFAULT)  # the same world for every sample (a kit run leaves its own)
        start = time.perf_counter()
        for _ in range(requests):
            adapter.call("describeInstances", {"regionId": "cn-north-1", "pageSize": 10}, "alice")
        return (time.perf_counter() - start) / requests * 1e3


def kit_run_seconds(url: str, keep_alive: bool, steps: int, examples: int, sweep: bool) -> float:
    start = time.perf_counter()
    report = run_conformance(lambda: HttpAdapter(url, keep_alive=keep_alive), steps=steps, examples=examples,
                             seed=0, settings=KitSettings(sweep=sweep))
    assert report.ok, report.explanation  # the emulator conforms: both sides send the same requests
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=500, help="describeInstances calls per side and round")
    parser.add_argument("--steps", type=int, default=10, help="steps per example of the kit run")
    parser.add_argument("--examples", type=int, default=3, help="examples of the kit run")
    parser.add_argument("--no-sweep", action="store_true", help="the kit run without its opening rule sweep")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    rows: dict[str, Callable[[str, bool], float]] = {
        "describeInstances, ms per request": lambda url, keep: per_request_ms(url, keep, args.requests),
        "kit run (run_conformance, seed 0), s": lambda url, keep: kit_run_seconds(url, keep, args.steps,
                                                                                  args.examples, not args.no_sweep),
    }
    samples: dict[str, dict[str, list[float]]] = {row: {side: [] for side in SIDES} for row in rows}
    with EmulatorProcess() as emulator:
        for _ in range(args.rounds):
            for row, measure in rows.items():
                for side, keep_alive in SIDES.items():
                    samples[row][side].append(measure(emulator.url, keep_alive))
    figures: dict[str, dict[str, float]] = {}
    print(f"python {platform.python_version()} on {platform.machine()}, {args.rounds} rounds")
    for row, sides in samples.items():
        kept, fresh = sides["kept alive"], sides["a new connection each"]
        figures[row] = {side: statistics.median(values) for side, values in sides.items()}
        figures[row]["new / kept alive"] = statistics.median(f / k for f, k in zip(fresh, kept, strict=True))
        print(f"  rounds: kept alive {[round(k, 3) for k in kept]}, a new connection each "
              f"{[round(f, 3) for f in fresh]}")
        cells = "  ".join(f"{name} {value:8.3f}" for name, value in figures[row].items())
        print(f"{row:40s} {cells}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(figures, out, indent=1)


if __name__ == "__main__":
    sys.exit(main())
