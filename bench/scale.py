"""Scale benchmark (issue 19): every listing, filter, address, snapshot and builder row at 100, 10,000 and
100,000 instances, with the ratio 100k/100, plus moto's describe_instances by id at 10k side by side.

Run: ``nice -n 10 python bench/scale.py`` (several minutes on two cores; ``--sizes 100,10000`` for a quick
look). Every figure is a median of repeated runs (``time.perf_counter``); the snapshot and builder rows are
measured beside their baselines (json.dumps + json.loads of the same document; add_instance once per
instance) in interleaved repetitions. Recorded in docs/performance.md.

``--baseline REV`` compares another commit side by side: the package as it is at REV (``git archive``, into a
temporary directory) and the checkout's own, each run by this same script in a new interpreter, taking turns
size by size, and printed as one table of both with the ratio current / baseline.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import bench  # bench/bench.py, beside this script
import vmrules
from bench import median_seconds
from vmrules import World, advance, execute, settle
from vmrules.builders import add_image, add_instance, add_instances
from vmrules.model import SecurityGroup, Subnet, Task, Vpc
from vmrules.snapshot import SnapshotError
from vmrules.state import BulkBatch

NORTH = "cn-north-1"
FULL_SPEC: dict[str, Any] = {
    "regionId": NORTH,
    "maxCount": 1,
    "instanceSpec": {
        "az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": "img-centos7cld", "name": "bench-vm",
        "password": "Vm-Rules#Bench9", "elasticIp": {"bandwidthMbps": 10, "provider": "bgp"},
        "primaryNetworkInterface": {"deviceIndex": 1, "networkInterface": {
            "subnetId": "subnet-main00001a", "securityGroups": ["sg-maindefault", "sg-main000001"]}},
        "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}},
        "dataDisks": [
            {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 100}},
            {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "premium-hdd", "diskSizeGB": 500}},
        ],
    },
}



def once(fn: Callable[[], object]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def bench_world() -> tuple[World, str]:
    """The default world, alice's quotas raised, and a network large enough for 100,000 addresses (the default
    subnets are /24); and the subnet to build in."""
    world = World.default()
    alice = world.accounts["alice"]
    world = world.evolve(accounts=world.accounts.set("alice", replace(
        alice, quotas=tuple((name, 10**9) for name, _ in alice.quotas))))
    vpc = Vpc("vpc-bench00001", "alice", NORTH, "bench", "10.64.0.0/10")
    subnet = Subnet("subnet-bench0001a", "alice", NORTH, vpc.vpc_id, "cn-north-1a", "bench-1a", "10.64.0.0/12")
    group = SecurityGroup("sg-benchdefault", "alice", NORTH, vpc.vpc_id, "default", True, "default group")
    world = world.evolve(vpcs=world.vpcs.set(vpc.vpc_id, vpc), subnets=world.subnets.set(subnet.subnet_id, subnet),
                         security_groups=world.security_groups.set(group.security_group_id, group))
    return world, subnet.subnet_id


def build(n: int, start: tuple[World, str] | None = None) -> World:
    """``bench_world()`` plus ``n`` running instances of alice (one of them, the middle one, stopped, made from
    a private localDisk image, in a fault domain of its own and in the default world's availability group) built
    with the bulk builder ``add_instances``, and n/20 private images."""
    world, subnet_id = start or bench_world()
    ids, world = add_instances(world, n, name="bulk", system_disk="local", subnet_id=subnet_id)
    template = world.images["img-centos7cld"]
    for i in range(max(n // 20, 1)):
        world = add_image(world, replace(template, image_id=f"img-bench{i:06d}", owner="alice", source="private",
                                         name=f"private-{i}"))
    if ids:  # the first private image is a localDisk one; the middle instance is stopped, made from it, in a
        # fault domain of its own and alice's availability group
        local = replace(world.images["img-bench000000"], root_device_type="localDisk")
        world = world.with_image(local)
        world = world.with_instance(replace(world.instances[ids[n // 2]], status="stopped", image_id=local.image_id,
                                            fault_domain="fd-bench", ag_id="ag-web00000001"))
    return world


def build_one_by_one(n: int, start: tuple[World, str]) -> World:
    """The baseline of ``build``: the same instances, one ``add_instance`` call (and one world) each."""
    world, subnet_id = start
    for _ in range(n):
        _, world = add_instance(world, name="bulk", system_disk="local", subnet_id=subnet_id)
    return world


def measure(n: int, rows: dict[str, dict[int, float]], *, listings: bool = True) -> None:
    def put(row: str, value: float) -> None:
        rows.setdefault(row, {})[n] = value

    gc.collect()
    start = bench_world()
    # Builders as a user runs them (the collector on; add_instances pauses it itself, vmrules.bulk).
    build_reps = 3 if n >= 100_000 else 5
    bulk = [once(lambda: add_instances(start[0], n, name="bulk", system_disk="local", subnet_id=start[1]))[0]
            for _ in range(build_reps)]
    put("builders: add_instances, n instances (s)", statistics.median(bulk))
    # The baseline, one add_instance (and one world) per instance: once at 100,000 (minutes under load).
    one_by_one = [once(lambda: build_one_by_one(n, start))[0] for _ in range(1 if n >= 100_000 else build_reps)]
    put("  baseline: add_instance n times (s)", statistics.median(one_by_one))
    put("  baseline / add_instances", rows["  baseline: add_instance n times (s)"][n]
        / rows["builders: add_instances, n instances (s)"][n])
    seconds, world = once(lambda: build(n, start))
    put("builders: n instances + n/20 images, the world below (s)", seconds)
    # Snapshots, as a user pays them (writing: the document and its text; reading: parsing, validation, the
    # consistency checks, the usage recount and the indexes), beside json.dumps + json.loads of the same
    # document. Each side in the state a user's process is in when it does that, the same for ours and the
    # baseline: writing with the world alive, reading with only the texts alive (the world is let go, and read
    # back for the rows below), and nothing frozen yet.
    gc.collect()
    snapshot_samples: dict[str, list[float]] = {}
    text, written = measure_snapshot_writes(world, n, snapshot_samples)
    world = None  # type: ignore[assignment]
    gc.collect()
    world = measure_snapshot_reads(text, written, n, snapshot_samples)
    put_snapshot_rows(n, snapshot_samples, rows)
    del text
    gc.collect()
    gc.freeze()  # the world is long-lived: keep collections from walking it on every run below
    some = next(world.owned_instances("alice", NORTH, n // 3))
    reps = 5 if n >= 100_000 else 15

    def timed(row: str, operation: str, params: dict[str, Any], *, number: int = 20, refused_by: str = "") -> None:
        if not listings:
            return
        outcome = execute(world, operation, params)
        assert (outcome.error.rule if outcome.error else "") == refused_by, (row, outcome.error)
        put(row, median_seconds(lambda: execute(world, operation, params), repeat=reps, number=number) * 1e6)

    timed("describeInstances, first page, no filter (µs)", "describeInstances", {"regionId": NORTH})
    timed("describeInstances, filter instanceId, 1 id (µs)", "describeInstances",
          {"regionId": NORTH, "filters": [{"name": "instanceId", "values": [some.instance_id]}]})
    timed("describeInstances, filter status stopped, 1 match (µs)", "describeInstances",
          {"regionId": NORTH, "filters": [{"name": "status", "values": ["stopped"]}]})
    timed("describeInstances, filter status running, first page of n-1 (µs)", "describeInstances",
          {"regionId": NORTH, "filters": [{"name": "status", "values": ["running"]}]})
    timed("describeInstances, filter status running+stopped, first page (µs)", "describeInstances",
          {"regionId": NORTH, "filters": [{"name": "status", "values": ["running", "stopped"]}]})
    timed("describeInstances, filter status stopped + name, 1 match (µs)", "describeInstances",
          {"regionId": NORTH, "filters": [{"name": "status", "values": ["stopped"]},
                                          {"name": "name", "values": ["bulk"]}]})
    timed("describeInstances, filter subnetId, first page (µs)", "describeInstances",
          {"regionId": NORTH, "filters": [{"name": "subnetId", "values": ["subnet-bench0001a"]}]})
    timed("describeInstances, filter imageId, 1 match (µs)", "describeInstances",
          {"regionId": NORTH, "filters": [{"name": "imageId", "values": ["img-bench000000"]}]})
    timed("describeInstances, filter faultDomain, 1 match (µs)", "describeInstances",
          {"regionId": NORTH, "filters": [{"name": "faultDomain", "values": ["fd-bench"]}]})
    timed("describeInstances, filter agId, 1 match (µs)", "describeInstances",
          {"regionId": NORTH, "filters": [{"name": "agId", "values": ["ag-web00000001"]}]})
    timed("describeInstances, filter networkInterfaceId, 1 id (µs)", "describeInstances",
          {"regionId": NORTH, "filters": [{"name": "networkInterfaceId", "values": [some.primary_nic_id]}]})
    timed("deleteImage of a localDisk image 1 instance uses, refused (µs)", "deleteImage",
          {"regionId": NORTH, "imageId": "img-bench000000"}, refused_by="DELETE_IMAGE.LOCAL_IMAGE_IN_USE")
    timed("describeInstanceStatus, first page (µs)", "describeInstanceStatus", {"regionId": NORTH})
    timed("describeInstanceStatus, filter status stopped, 1 match (µs)", "describeInstanceStatus",
          {"regionId": NORTH, "filters": [{"name": "status", "values": ["stopped"]}]})
    timed("describeInstancePrivateIpAddress, first page (µs)", "describeInstancePrivateIpAddress",
          {"regionId": NORTH})
    timed("describeImages, private, first page (µs)", "describeImages",
          {"regionId": NORTH, "imageSource": "private"})
    timed("describeImages, public, first page (µs)", "describeImages",
          {"regionId": NORTH, "imageSource": "public"})
    timed("describeImages, shared, none (µs)", "describeImages",
          {"regionId": NORTH, "imageSource": "shared"})
    timed("describeImageConstraintsBatch, no ids, the 2 official (µs)", "describeImageConstraintsBatch",
          {"regionId": NORTH})
    if listings:  # the emulator's and the mock's step before each request while tasks take 5 s: none is due
        busy = with_tasks_started(world, world.instances.keys())
        put("settle(started_by) before a request, n tasks in progress, none due (µs)", median_seconds(
            lambda: settle(busy, started_by=busy.clock - 5), repeat=reps, number=20) * 1e6)
        del busy
    spec = json.loads(json.dumps(FULL_SPEC))
    spec["instanceSpec"]["primaryNetworkInterface"]["networkInterface"]["primaryIpAddress"] = "10.0.1.200"
    timed("createInstances with primaryIpAddress (µs)", "createInstances", spec, number=20)

    # A process that has frozen objects (as here, for the listings): the collector pause after the read cannot
    # promote the new world without walking it (vmrules.bulk), so the first collection after it walks it once.
    put("  snapshot read, the benchmark's world frozen: World.from_json(text) (s)",
        statistics.median(once(lambda: World.from_json(written))[0] for _ in range(2 if n >= 100_000 else 5)))
    gc.unfreeze()


def with_tasks_started(world: World, resource_ids: Iterable[str]) -> World:
    """``world`` a second later, with a stopInstance task started on each of ``resource_ids``."""
    later = advance(world, 1)
    batch = BulkBatch(later)
    for rid in resource_ids:
        batch.put("tasks", rid, Task("stopInstance", rid, later.clock))
    return batch.done()


def _sampler(samples: dict[str, list[float]]) -> Callable[[str, Callable[[], Any]], Any]:
    def sample(row: str, fn: Callable[[], Any]) -> Any:
        seconds, value = once(fn)
        samples.setdefault(row, []).append(seconds)
        return value
    return sample


def measure_snapshot_writes(world: World, n: int, samples: dict[str, list[float]]) -> tuple[str, str]:
    """Writing, with the world alive (and the baseline's document): json.dumps of ``world.to_dict()`` beside
    ``world.to_json()``, interleaved. The two texts."""
    sample = _sampler(samples)
    doc = world.to_dict()
    text = ours = ""
    for _ in range(3 if n >= 100_000 else 5):
        text = sample("  baseline: json.dumps of the same document (s)", lambda: json.dumps(doc))
        ours = sample("snapshot write: world.to_json() (s)", world.to_json)
    sample("snapshot write: world.to_dict() (s)", world.to_dict)
    return text, ours


def measure_snapshot_reads(text: str, ours: str, n: int, samples: dict[str, list[float]]) -> World:
    """Reading, with only the texts alive (a server restarting from its snapshot): json.loads beside
    ``World.from_json``, interleaved, each result let go before the next. The world read."""
    sample = _sampler(samples)
    for _ in range(3 if n >= 100_000 else 5):
        sample("  baseline: json.loads of it (s)", lambda: json.loads(text))
        sample("snapshot read: World.from_json(text) (s)", lambda: World.from_json(ours))
    sample("snapshot read: World.from_dict(json.loads(text)) (s)", lambda: World.from_dict(json.loads(text)))
    world = World.from_json(ours)
    assert world.to_json() == ours  # the round trip is exact
    return world


def put_snapshot_rows(n: int, samples: dict[str, list[float]], rows: dict[str, dict[int, float]]) -> None:
    for row, values in samples.items():
        rows.setdefault(row, {})[n] = statistics.median(values)
    rows.setdefault("snapshot to_json + from_json / json dumps + loads (goal ≤ 2)", {})[n] = (
        (rows["snapshot write: world.to_json() (s)"][n] + rows["snapshot read: World.from_json(text) (s)"][n])
        / (rows["  baseline: json.dumps of the same document (s)"][n] + rows["  baseline: json.loads of it (s)"][n]))


def measure_create(rows: dict[str, dict[int, float]]) -> None:
    """check vs parse, execute vs building the same entities directly (bench.py's side-by-side rows, in
    processor time)."""
    figures: dict[str, float] = {}
    bench.measure_create(figures, rounds=5)
    rows["createInstances: parse, model_validate (µs)"] = {0: figures["create_parse_cpu_us"]}
    rows["createInstances: check (µs)"] = {0: figures["create_check_cpu_us"]}
    rows["  check / parse (goal ≤ 4)"] = {0: figures["ratio_check_vs_parse"]}
    rows["createInstances: execute (µs)"] = {0: figures["create_execute_cpu_us"]}
    rows["createInstances: building directly (µs)"] = {0: figures["create_direct_cpu_us"]}
    rows["  execute / direct (goal ≤ 2)"] = {0: figures["ratio_execute_vs_direct"]}
    # A snapshot whose instances are 300,000 malformed entries (what an admin PUT /admin/world reads).
    bad = {**World.default().to_dict(), "instances": [{"instanceId": k} for k in range(300_000)]}
    seconds, _ = once(lambda: _refused(bad))
    rows["snapshot read: 300,000 malformed entries refused (ms)"] = {0: seconds * 1e3}


def _refused(document: dict[str, Any]) -> bool:
    try:
        World.from_dict(document)
    except SnapshotError:
        return True
    raise AssertionError("a malformed snapshot was read")


def moto_describe_by_id(n: int) -> float | None:
    """moto's describe_instances(InstanceIds=[one id]) with ``n`` instances, in µs (None without moto)."""
    try:
        import boto3
        from moto import mock_aws
    except ImportError:
        return None
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("ec2", region_name="us-east-1")
        image = client.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
        ids: list[str] = []
        while len(ids) < n:
            batch = min(500, n - len(ids))
            reply = client.run_instances(ImageId=image, MinCount=batch, MaxCount=batch, InstanceType="t3.micro")
            ids += [i["InstanceId"] for i in reply["Instances"]]
        wanted = ids[n // 3]
        return median_seconds(lambda: client.describe_instances(InstanceIds=[wanted]), repeat=5, number=5) * 1e6


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


ROOT = Path(__file__).resolve().parent.parent
SIDES = ("baseline", "current")


def _package_at(rev: str, into: Path) -> str | None:
    """Extract the package as it is at ``rev`` into ``into``; why not, when it cannot."""
    try:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev, "vmrules"],
                                 capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"git archive failed: {exc}"
    if archive.returncode != 0:
        return archive.stderr.decode(errors="replace").strip() or f"git archive exited {archive.returncode}"
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return None


def _cell(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.3g}"


def compare_with(rev: str, sizes: list[int], *, bulk_only: bool, json_path: str | None) -> int:
    """Every row at every size on the package at ``rev`` and on the checkout's, the two taking turns (the
    baseline first at the first size, the current tree first at the next, ...), one new interpreter each."""
    figures: dict[str, dict[str, dict[str, list[float]]]] = {}  # row -> size -> side -> values
    with tempfile.TemporaryDirectory(prefix="vmrules-baseline-") as tmp:
        tree = Path(tmp) / "tree"
        tree.mkdir()
        refusal = _package_at(rev, tree)
        if refusal is not None:
            print(f"--baseline {rev}: {refusal}", file=sys.stderr)
            return 2
        for i, n in enumerate(sizes):
            for side in SIDES if i % 2 == 0 else SIDES[::-1]:
                out = Path(tmp) / f"{side}-{n}.json"
                command = [sys.executable, str(Path(__file__).resolve()), "--sizes", str(n), "--json", str(out),
                           *(["--bulk-only"] if bulk_only else [])]
                root = tree if side == "baseline" else ROOT
                env = {**os.environ, "PYTHONPATH": str(root)}
                print(f"  {side} ({rev if side == 'baseline' else 'the checkout'}) at {n:,} instances",
                      file=sys.stderr, flush=True)
                done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
                if done.returncode != 0:
                    print(f"the {side} run at {n} failed:\n{done.stderr[-3000:]}", file=sys.stderr)
                    return 1
                expected = root / "vmrules"
                if f"vmrules from {expected}" not in done.stderr:  # another install shadowed the tree
                    print(f"the {side} run did not import vmrules from {expected}:\n{done.stderr[:500]}",
                          file=sys.stderr)
                    return 1
                for row, values in json.loads(out.read_text(encoding="utf-8")).items():
                    for size, value in values.items():  # size "0": createInstances, measured in every run
                        figures.setdefault(row, {}).setdefault(size, {}).setdefault(side, []).append(value)
    table: dict[str, dict[str, dict[str, float]]] = {
        row: {size: {side: statistics.median(v) for side, v in by_side.items()} for size, by_side in by_size.items()}
        for row, by_size in figures.items()}
    print(f"| row | instances | {rev} | the checkout | checkout / {rev} |")
    print("|---|---:|---:|---:|---:|")
    for row, by_size in table.items():
        for size, by_side in by_size.items():
            base, current = by_side.get("baseline"), by_side.get("current")
            cells = [_cell(v) for v in (base, current)]
            ratio = f"{current / base:.2f}" if base and current is not None else ""
            print(f"| {row} | {'' if size == '0' else f'{int(size):,}'} | {cells[0]} | {cells[1]} | {ratio} |")
    if json_path:
        with open(json_path, "w", encoding="utf-8") as fh:
            json.dump(table, fh, indent=2, ensure_ascii=False)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,10000,100000", help="world sizes (instances), comma-separated")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--bulk-only", action="store_true",
                        help="only the builder and snapshot rows (no listings, createInstances or moto)")
    parser.add_argument("--baseline", metavar="REV",
                        help="also run the package as it is at this commit, side by side (git archive)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.baseline:
        return compare_with(args.baseline, sizes, bulk_only=args.bulk_only, json_path=args.json)
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores, "
          f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, load average {_load()}", file=sys.stderr)
    print(f"vmrules from {Path(vmrules.__file__).resolve().parent}", file=sys.stderr)
    load_at_start = _load()
    rows: dict[str, dict[int, float]] = {}
    if not args.bulk_only:
        measure_create(rows)
    print(f"  createInstances: {json.dumps(rows, ensure_ascii=False)}", file=sys.stderr, flush=True)
    for n in sizes:
        measure(n, rows, listings=not args.bulk_only)
        if n == 10_000 and not args.bulk_only:  # moto side by side, right after our 10k figures
            ours = rows["describeInstances, filter instanceId, 1 id (µs)"][n]
            moto = moto_describe_by_id(n)
            if moto is not None:
                rows["moto describe_instances by id at 10k (µs)"] = {n: moto}
                rows["  moto / ours by id at 10k (goal ≥ 50)"] = {n: moto / ours}
            else:  # the row the issue asks for is missing: say so rather than leave it out unnoticed
                print("  moto or boto3 is not installed, so the moto row is left out "
                      "(pip install -e '.[bench]' installs them)", file=sys.stderr, flush=True)
        print(f"  measured {n}: {json.dumps({r: v.get(n) for r, v in rows.items()}, ensure_ascii=False)}",
              file=sys.stderr, flush=True)

    lo, hi = sizes[0], sizes[-1]
    header = f"| row | {' | '.join(f'{s:,}' for s in sizes)} | {hi:,}/{lo:,} |"
    print(header)
    print("|" + "---|" * (len(sizes) + 2))
    for row, values in rows.items():
        if 0 in values:
            print(f"| {row} | {values[0]:.2f} |" + " |" * len(sizes))
            continue
        cells = [f"{values[s]:,.2f}" if s in values else "" for s in sizes]
        ratio = f"{values[hi] / values[lo]:.2f}×" if lo in values and hi in values and values[lo] else ""
        print(f"| {row} | {' | '.join(cells)} | {ratio} |")
    print(f"\nload average (1, 5, 15 min): {load_at_start} at the start, {_load()} at the end")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({row: {str(k): v for k, v in values.items()} for row, values in rows.items()}, fh, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
