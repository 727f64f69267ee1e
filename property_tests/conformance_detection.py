"""Measure the conformance kit: per fault class, how often and how fast the faulty implementations of
``vmrules.testing.faulty.FAULTS`` are found over fresh seeds; how many catalogue rules a run fires; and the
reference's own divergences (must be none). Prints the Markdown tables of docs/conformance.md.

Run: ``python property_tests/conformance_detection.py [--seeds 3] [--reference-seeds 10] [--jobs 2]
[--faults NAME,...] [--reference-seed SEED ...]``. Every run uses the default settings (``run_conformance``)
with a fresh seed (or the ``--reference-seed`` given), printed so that any row can be reproduced
(``run_conformance(fault(NAME).make, seed=SEED)``). "Requests sent" counts every call the kit made of the
reference as a system (steps, setups and observations): what a run costs a system, across commits.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import time
import warnings
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from vmrules.catalogue import CATALOGUE
from vmrules.testing.adapters import InProcessAdapter
from vmrules.testing.conformance import run_conformance
from vmrules.testing.faulty import CLASSES, FAULTS, fault


def _fault_run(name: str, seed: int) -> dict[str, Any]:
    warnings.simplefilter("ignore")
    f = fault(name)
    start, cpu = time.perf_counter(), time.process_time()
    report = run_conformance(f.make, seed=seed, shrink=False)  # detection, not the minimal trace
    detected = f.found_in(report)
    steps = report.first_detection[2] if detected and report.first_detection is not None else None
    return {"name": name, "kind": f.kind, "seed": seed, "detected": detected, "steps": steps,
            "rule": report.rule, "seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu,
            "ok": report.ok}


def _reference_run(seed: int) -> dict[str, Any]:
    warnings.simplefilter("ignore")
    made: list[InProcessAdapter] = []

    def adapter() -> InProcessAdapter:
        made.append(InProcessAdapter())
        return made[-1]

    start, cpu = time.perf_counter(), time.process_time()
    report = run_conformance(adapter, seed=seed, shrink=False)
    return {"seed": seed, "ok": report.ok, "fired": len(CATALOGUE) - len(report.rules_never_hit),
            "never": report.rules_never_hit, "steps": report.steps, "seconds": time.perf_counter() - start,
            "cpu": time.process_time() - cpu, "requests": sum(a.requests for a in made),
            "explanation": report.explanation}


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.0f}" if values else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="fresh seeds per faulty implementation")
    parser.add_argument("--reference-seeds", type=int, default=10, help="fresh seeds for the reference")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--faults", help="comma-separated fault names (default: all)")
    parser.add_argument("--reference-seed", type=int, action="append", default=[], metavar="SEED",
                        help="a reference run with this seed instead of fresh ones (repeatable; the kit's cost "
                             "compared across commits)")
    args = parser.parse_args()
    names = args.faults.split(",") if args.faults else [f.name for f in FAULTS]
    # Seed by seed over all faults (a measurement cut short still covers every fault), the reference first.
    fault_jobs = [(n, secrets.randbelow(2**32)) for _ in range(args.seeds) for n in names]
    reference_seeds = args.reference_seed or [secrets.randbelow(2**32) for _ in range(args.reference_seeds)]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        reference_futures = [pool.submit(_reference_run, seed) for seed in reference_seeds]
        fault_futures = [pool.submit(_fault_run, name, seed) for name, seed in fault_jobs]
        for future in as_completed([*reference_futures, *fault_futures]):
            row = future.result()  # progress on stderr: a long measurement shows where it is
            print({k: v for k, v in row.items() if k not in ("never", "explanation")}, file=sys.stderr, flush=True)
        fault_results = [f.result() for f in fault_futures]
        reference = [f.result() for f in reference_futures]

    by_fault: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in fault_results:
        by_fault[r["name"]].append(r)
    print("| fault | class | detected | steps to detection (median) | seeds (missed in bold) | seconds (median) "
          "| processor seconds (median) |")
    print("|---|---|---|---|---|---|---|")
    for name in names:
        runs = by_fault[name]
        if not runs:  # --seeds 0: the reference alone
            continue
        found = [r for r in runs if r["detected"]]
        seeds = ", ".join(str(r["seed"]) if r["detected"] else f"**{r['seed']}**" for r in runs)
        print(f"| {name} | {runs[0]['kind']} | {len(found)}/{len(runs)} | "
              f"{_median([r['steps'] for r in found])} | {seeds} | {_median([r['seconds'] for r in runs])} | "
              f"{_median([r['cpu'] for r in runs])} |")

    print("\n| class | faults | detected runs | faults found in every seed | steps to detection (median) |")
    print("|---|---|---|---|---|")
    for kind in CLASSES:
        runs = [r for r in fault_results if r["kind"] == kind]
        if not runs:
            continue
        faults = sorted({r["name"] for r in runs})
        always = sum(1 for n in faults if all(r["detected"] for r in by_fault[n]))
        found = [r for r in runs if r["detected"]]
        print(f"| {kind} | {len(faults)} | {len(found)}/{len(runs)} ({len(found) / len(runs):.0%}) | "
              f"{always}/{len(faults)} | {_median([r['steps'] for r in found])} |")

    print("\n| reference seed | divergence | catalogue rules fired | steps compared | requests sent | seconds "
          "| processor seconds |")
    print("|---|---|---|---|---|---|---|")
    for r in reference:
        print(f"| {r['seed']} | {'none' if r['ok'] else 'YES'} | {r['fired']}/{len(CATALOGUE)} "
              f"({r['fired'] / len(CATALOGUE):.0%}) | {r['steps']} | {r['requests']} | {r['seconds']:.1f} | "
              f"{r['cpu']:.1f} |")
    never = sorted(set.intersection(*(set(r["never"]) for r in reference))) if reference else []
    print(f"\nNever fired in any of the {len(reference)} reference runs ({len(never)}): {', '.join(never)}")
    for r in reference:
        if not r["ok"]:
            print(f"\nReference divergence, seed {r['seed']}: {r['explanation']}")


if __name__ == "__main__":
    main()
