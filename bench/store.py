"""Cost of the emulator's SQLite state store (issue 17): one acknowledged write at 100 and at 100,000 instances,
and a restart at 100,000 instances from a snapshot and a 1,000-entry tail. Run: ``python bench/store.py``.

A write is one accepted stopInstance or startInstance through ``Emulator.handle`` (routing, the engine, the log
entry committed to SQLite), in process, so the HTTP stack is not in the figure. Snapshots are off for the write
figures (``--snapshot-every`` huge): they are taken off the request path and measured on their own.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from scale import bench_world  # bench/scale.py, beside this script

from vmrules import World
from vmrules.builders import add_instance
from vmrules.server import Emulator
from vmrules.server.store import Store, Synchronous, pack

NORTH = "cn-north-1"


def world_with_instances(n: int) -> tuple[World, str]:
    """scale.py's world (alice's quotas raised, a subnet wide enough for 100,000 addresses) with ``n`` running
    instances of alice, and the first one's id."""
    world, subnet_id = bench_world()
    first = ""
    for i in range(n):
        iid, world = add_instance(world, name=f"bulk-{i}", system_disk="local", subnet_id=subnet_id)
        first = first or iid
    return world, first


def writes(emu: Emulator, iid: str, count: int) -> list[float]:
    """Seconds per write, for ``count`` alternating stop and start requests."""
    samples = []
    for n in range(count):
        verb = "stopInstance" if n % 2 == 0 else "startInstance"
        start = time.perf_counter()
        response = emu.handle("POST", f"/v1/regions/{NORTH}/instances/{iid}:{verb}", "", {}, b"{}")
        samples.append(time.perf_counter() - start)
        if response.status != 200:
            raise RuntimeError(f"{verb}: {response.body}")
    return samples


def write_cost(world: World, iid: str, directory: Path, count: int, synchronous: Synchronous) -> float:
    store = Store.open(directory / f"w{len(world.instances)}-{synchronous}.db", world, snapshot_every=10**9,
                       synchronous=synchronous)
    emu = Emulator(world, store=store, auth=False, frozen_clock=True)
    writes(emu, iid, 20)  # warm up
    median = statistics.median(writes(emu, iid, count))
    store.close()
    return median


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--writes", type=int, default=400, help="writes per measurement (median kept)")
    parser.add_argument("--tail", type=int, default=1000, help="log entries after the snapshot at restart")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores", file=sys.stderr)
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        directory = Path(tmp)
        small, small_iid = world_with_instances(args.small)
        large, large_iid = world_with_instances(args.large)
        for synchronous in ("FULL", "NORMAL"):
            low = write_cost(small, small_iid, directory, args.writes, synchronous)  # type: ignore[arg-type]
            high = write_cost(large, large_iid, directory, args.writes, synchronous)  # type: ignore[arg-type]
            figures[f"write_small_us_{synchronous}"] = low * 1e6
            figures[f"write_large_us_{synchronous}"] = high * 1e6
            figures[f"write_ratio_{synchronous}"] = high / low
            print(json.dumps(figures), file=sys.stderr)

        start = time.perf_counter()
        blob = pack(large)
        figures["snapshot_pack_s"] = time.perf_counter() - start
        figures["snapshot_mb"] = len(blob) / 1e6

        path = directory / "restart.db"
        store = Store.open(path, large, snapshot_every=10**9)
        emu = Emulator(large, store=store, auth=False, frozen_clock=True)
        writes(emu, large_iid, args.tail)
        expected = emu.world
        store.close()
        del emu, store, small, large
        gc.collect()
        start = time.perf_counter()
        reopened = Store.open(path, World.default())
        loaded = reopened.load()
        figures["restart_s"] = time.perf_counter() - start
        figures["restart_tail"] = args.tail
        if loaded != expected:
            raise RuntimeError("the restarted world is not the world before the restart")
        reopened.close()
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value:12.3f}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
