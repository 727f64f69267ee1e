"""The emulator's cost per request while tasks pile up (issue 19's scale, on the emulator's own path).

With ``--task-seconds`` above 0 the emulator completes, before every request, the tasks that have run that
long (``settle(started_by=...)``). This drives an in-process ``Emulator`` whose tasks take longer than the run
(none completes): createInstances of ``--batch`` instances at a time, and at each mark of ``--marks`` tasks in
progress, the mean time of ``--requests`` describeInstances calls of a page of ten (the smallest pageSize),
through ``Emulator.handle`` (the wire layer, the journal step, the engine; no socket, no store). Run:
``python bench/tasks.py``; with ``PYTHONPATH=<an earlier checkout>`` for the same figures from that code (the
script only uses what both have).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from scale import bench_world  # bench/scale.py: alice with quotas that never bind, a /12 subnet

from vmrules.server.app import Emulator

INSTANCES = "/v1/regions/cn-north-1/instances"


def create_spec(subnet_id: str, count: int) -> bytes:
    return json.dumps({"regionId": "cn-north-1", "maxCount": count, "instanceSpec": {
        "az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": "img-centos7cld", "name": "load",
        "primaryNetworkInterface": {"networkInterface": {"subnetId": subnet_id, "securityGroups": ["sg-benchdefault"]}},
        "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}}}}).encode()


def measure(marks: list[int], batch: int, requests: int) -> dict[int, float]:
    """Mean ms of a describeInstances page of ten at each number of tasks in progress in ``marks``."""
    world, subnet_id = bench_world()
    emulator = Emulator(world, task_seconds=10**7, auth=False)  # longer than any run: tasks only pile up
    body = create_spec(subnet_id, batch)
    figures: dict[int, float] = {}
    in_progress = 0
    for mark in sorted(marks):
        while in_progress < mark:
            created = emulator.handle("POST", INSTANCES, "", {}, body)
            assert created.status == 200, created.status
            in_progress += batch
        assert len(emulator.world.tasks) == in_progress
        start = time.perf_counter()
        for _ in range(requests):
            listed = emulator.handle("GET", INSTANCES, "pageSize=10", {}, b"")
            assert listed.status == 200, listed.status
        figures[mark] = (time.perf_counter() - start) / requests * 1e3
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--marks", default="1000,10000,40000", help="tasks in progress to measure at")
    parser.add_argument("--batch", type=int, default=100, help="instances per createInstances (at most 100)")
    parser.add_argument("--requests", type=int, default=50, help="describeInstances calls per mark")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    marks = [int(m) for m in args.marks.split(",")]
    if any(m % args.batch for m in marks):
        parser.error("every mark must be a multiple of --batch")
    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    figures = measure(marks, args.batch, args.requests)
    for mark, ms in figures.items():
        print(f"{mark:7d} tasks in progress: describeInstances, a page of ten, {ms:8.3f} ms per request")
    if args.json:
        Path(args.json).write_text(json.dumps({str(k): v for k, v in figures.items()}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
