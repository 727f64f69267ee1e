"""Benchmarks for vmrules, side by side with moto's EC2 (issue 8). Run: ``python bench/bench.py``.

Every figure is the median of repeated runs (``time.perf_counter``), printed as a table and as JSON
(``--json FILE``). moto is optional (``pip install ".[bench]"``); without it the comparison rows are skipped.
The numbers of one run are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from vmrules import World, check, execute, settle
from vmrules.builders import DataDiskPlan, ElasticIpPlan, add_instance
from vmrules.ids import password_digest
from vmrules.model import Charge
from vmrules.operations import OPERATION_TABLE

NORTH = "cn-north-1"

FULL_SPEC: dict[str, Any] = {
    "regionId": NORTH,
    "maxCount": 1,
    "instanceSpec": {
        "az": "cn-north-1a",
        "instanceType": "g.n2.medium",
        "imageId": "img-centos7cld",
        "name": "bench-vm",
        "password": "Vm-Rules#Bench9",
        "elasticIp": {"bandwidthMbps": 10, "provider": "bgp"},
        "primaryNetworkInterface": {
            "deviceIndex": 1,
            "networkInterface": {
                "subnetId": "subnet-main00001a",
                "securityGroups": ["sg-maindefault", "sg-main000001"],
            },
        },
        "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}},
        "dataDisks": [
            {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 100}},
            {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "premium-hdd", "diskSizeGB": 500}},
        ],
    },
}


def median_seconds(fn: Callable[[], object], *, repeat: int, number: int) -> float:
    """Median over ``repeat`` runs of the mean time of ``number`` calls."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


def cpu_seconds(fn: Callable[[], object], *, repeat: int, number: int) -> float:
    """The median over ``repeat`` runs of the mean processor time (``time.process_time``) of ``number`` calls.
    On a shared machine wall time also counts the waits for a core, which fall unevenly on the two sides of a
    ratio; processor time counts only this process's work."""
    samples = []
    for _ in range(repeat):
        start = time.process_time()
        for _ in range(number):
            fn()
        samples.append((time.process_time() - start) / number)
    return statistics.median(samples)


def world_with_instances(n: int) -> tuple[World, str]:
    """The default world plus ``n`` running instances (built directly; quotas raised to fit)."""
    world = World.default()
    alice = world.accounts["alice"]
    big = tuple((name, 10**9) for name, _ in alice.quotas)
    world = world.evolve(accounts=world.accounts.set("alice", replace(alice, quotas=big)))
    first = ""
    for i in range(n):
        iid, world = add_instance(world, name=f"bulk-{i}", system_disk="local")
        first = first or iid
    return world, first


def stop_start_cycle(world: World, iid: str) -> Callable[[], World]:
    stop = {"regionId": NORTH, "instanceId": iid}

    def cycle() -> World:
        w = settle(execute(world, "stopInstance", stop).world)
        return settle(execute(w, "startInstance", stop).world)

    return cycle


def describe_page(world: World) -> Callable[[], object]:
    params = {"regionId": NORTH, "pageNumber": 1, "pageSize": 20}
    return lambda: execute(world, "describeInstances", params)


# ---- moto ---------------------------------------------------------------------------------------------


def moto_runners() -> dict[str, Callable[[], object]] | None:
    try:
        import boto3
        from moto import mock_aws
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.ec2.models import ec2_backends
    except ImportError:
        return None
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    mock = mock_aws()
    mock.start()
    client = boto3.client("ec2", region_name="us-east-1")
    vpc = client.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = client.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/16", AvailabilityZone="us-east-1a")["Subnet"]
    sg1 = client.create_security_group(GroupName="a", Description="a", VpcId=vpc)["GroupId"]
    sg2 = client.create_security_group(GroupName="b", Description="b", VpcId=vpc)["GroupId"]
    image = client.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    mappings = [
        {"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 40, "VolumeType": "gp3"}},
        {"DeviceName": "/dev/sdb", "Ebs": {"VolumeSize": 100, "VolumeType": "gp3"}},
        {"DeviceName": "/dev/sdc", "Ebs": {"VolumeSize": 500, "VolumeType": "st1"}},
    ]

    def boto3_run() -> object:
        return client.run_instances(
            ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.medium", BlockDeviceMappings=mappings,
            NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet["SubnetId"], "Groups": [sg1, sg2],
                                "AssociatePublicIpAddress": True}],
        )

    backend = ec2_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]

    def backend_run() -> object:
        return backend.run_instances(
            image, 1, None, [], instance_type="t3.medium", subnet_id=subnet["SubnetId"],
            security_group_ids=[sg1, sg2], is_instance_type_default=False, region_name="us-east-1",
            block_device_mappings=mappings,
        )

    def boto3_describe() -> object:
        return client.describe_instances(MaxResults=20)

    return {"boto3_run": boto3_run, "backend_run": backend_run, "boto3_describe": boto3_describe}


def build_full_spec_directly(world: World) -> Callable[[], World]:
    """What ``FULL_SPEC``'s transition builds, built directly: no parsing, no context, no rules.

    The same instance, interface, three disks, elastic IP, task and usage, through the same builder the
    transition calls, with every value the transition would derive from the request written out (and the
    password digested, since the instance stores its digest). ``main`` checks the two worlds are equal."""
    password = FULL_SPEC["instanceSpec"]["password"]

    def build() -> World:
        clock = world.clock
        charge = Charge("postpaid_by_duration", "normal", clock)
        data = [DataDiskPlan("ssd", 100, True, None, "vdb"), DataDiskPlan("premium-hdd", 500, True, None, "vdc")]
        _, built = add_instance(
            world, owner=world.default_account, az="cn-north-1a", name="bench-vm", instance_type="g.n2.medium",
            image_id="img-centos7cld", subnet_id="subnet-main00001a",
            security_group_ids=("sg-maindefault", "sg-main000001"), system_disk="cloud", system_disk_type="ssd",
            system_disk_size_gb=40, system_disk_auto_delete=True, data_disks=data, status="pending", charge=charge,
            hostname="bench-vm", password_digest=password_digest(password), task="createInstances",
            elastic_ip=ElasticIpPlan(10, "bgp", Charge("postpaid_by_usage", "normal", clock)),
        )
        return built

    return build


def measure_create(figures: dict[str, float], *, rounds: int) -> None:
    """createInstances of ``FULL_SPEC``: check beside parsing the request model, execute beside building the
    same entities directly. The four take turns within each round; each ratio is the median of the rounds'
    ratios, so that load changing between rounds (a shared machine) does not bias it; within a round each
    figure is processor time (``cpu_seconds``)."""
    default = World.default()
    model = OPERATION_TABLE["createInstances"].request
    direct = build_full_spec_directly(default)
    runs: dict[str, list[float]] = {k: [] for k in ("parse", "check", "execute", "direct")}
    for _ in range(rounds):
        runs["parse"].append(cpu_seconds(lambda: model.model_validate(FULL_SPEC), repeat=5, number=1000))
        runs["check"].append(cpu_seconds(lambda: check(default, "createInstances", FULL_SPEC),
                                         repeat=5, number=200))
        runs["execute"].append(cpu_seconds(lambda: execute(default, "createInstances", FULL_SPEC),
                                           repeat=5, number=100))
        runs["direct"].append(cpu_seconds(direct, repeat=5, number=200))
    figures["create_parse_cpu_us"] = statistics.median(runs["parse"]) * 1e6
    figures["create_check_cpu_us"] = statistics.median(runs["check"]) * 1e6
    figures["create_execute_cpu_us"] = statistics.median(runs["execute"]) * 1e6
    figures["create_direct_cpu_us"] = statistics.median(runs["direct"]) * 1e6
    checks, parses, executes, directs = runs["check"], runs["parse"], runs["execute"], runs["direct"]
    figures["ratio_check_vs_parse"] = statistics.median(c / p for c, p in zip(checks, parses, strict=True))
    figures["ratio_execute_vs_direct"] = statistics.median(e / d for e, d in zip(executes, directs, strict=True))


def measure_large_worlds(n_small: int, n_large: int, figures: dict[str, float]) -> None:
    """stop/start and describe in worlds of ``n_small`` and ``n_large`` instances (freed on return)."""
    small, small_iid = world_with_instances(n_small)
    large, large_iid = world_with_instances(n_large)
    figures["stop_start_small_us"] = median_seconds(stop_start_cycle(small, small_iid), repeat=15, number=200) * 1e6
    figures["stop_start_large_us"] = median_seconds(stop_start_cycle(large, large_iid), repeat=15, number=200) * 1e6
    figures["stop_start_ratio"] = figures["stop_start_large_us"] / figures["stop_start_small_us"]
    stop = {"regionId": NORTH, "instanceId": small_iid}
    figures["stop_small_us"] = median_seconds(lambda: execute(small, "stopInstance", stop), repeat=15,
                                              number=500) * 1e6
    stop_l = {"regionId": NORTH, "instanceId": large_iid}
    figures["stop_large_us"] = median_seconds(lambda: execute(large, "stopInstance", stop_l), repeat=15,
                                              number=500) * 1e6

    figures["describe_page_large_ms"] = median_seconds(describe_page(large), repeat=5, number=3) * 1e3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--large", type=int, default=100_000, help="instances in the large world")
    parser.add_argument("--small", type=int, default=100, help="instances in the small world")
    parser.add_argument("--rounds", type=int, default=7, help="rounds of the side-by-side createInstances rows")
    parser.add_argument("--create-only", action="store_true", help="only the createInstances rows")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    figures: dict[str, float] = {}
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores", file=sys.stderr)

    # The default-world measurements come first, while no large world is alive: 100,000 live instances
    # make every garbage collection slower and would bill that to createInstances.
    default = World.default()
    created = execute(default, "createInstances", FULL_SPEC)
    if not created.ok:
        print(f"createInstances refused: {created.error}", file=sys.stderr)
        return 1
    if created.world != build_full_spec_directly(default)():
        print("building directly does not make the world createInstances makes", file=sys.stderr)
        return 1
    # wall time, as moto's rows below are measured
    figures["create_execute_us"] = median_seconds(lambda: execute(default, "createInstances", FULL_SPEC),
                                                  repeat=15, number=300) * 1e6
    figures["create_check_us"] = median_seconds(lambda: check(default, "createInstances", FULL_SPEC),
                                                repeat=15, number=1000) * 1e6
    measure_create(figures, rounds=args.rounds)

    if not args.create_only:
        measure_large_worlds(args.small, args.large, figures)
    gc.collect()  # the large worlds are gone: moto is measured, like createInstances, without them

    moto = moto_runners() if not args.create_only else None
    if moto is not None:
        figures["moto_boto3_run_us"] = median_seconds(moto["boto3_run"], repeat=7, number=30) * 1e6
        figures["moto_backend_run_us"] = median_seconds(moto["backend_run"], repeat=7, number=30) * 1e6
        figures["moto_boto3_describe_ms"] = median_seconds(moto["boto3_describe"], repeat=5, number=3) * 1e3
        figures["ratio_create_vs_boto3"] = figures["moto_boto3_run_us"] / figures["create_execute_us"]
        figures["ratio_create_vs_backend"] = figures["moto_backend_run_us"] / figures["create_execute_us"]

    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value:12.2f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(figures, fh, indent=2, sort_keys=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
