"""HTTP throughput of ``vmrules serve`` beside moto's server mode (issue 17). Run: ``python bench/server.py``.

Both servers run in their own subprocess on loopback; the clients are raw ``http.client`` connections in this
process (no SDK, so the figures are the servers' cost, not a client library's). For each cell: requests/s of
describeInstance (one instance by id; moto: DescribeInstances with one InstanceId) and createInstances (one
instance with a system disk, a data disk, two security groups; moto: RunInstances with the same), over one
keep-alive connection per client thread and over a new connection per request, with 1 and 4 client threads.
Each cell is the median of ``--rounds`` runs of ``--seconds``; the cells and servers take turns within a round,
so load from elsewhere on the machine hits all of them alike.
``vmrules serve`` runs with ``--no-auth`` (moto checks no signature either).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from vmrules import World
from vmrules.server.process import ServerProcess

NORTH = "cn-north-1"
CREATE_BODY = json.dumps({
    "regionId": NORTH,
    "instanceSpec": {
        "az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": "img-centos7cld", "name": "bench-vm",
        "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a",
                                                         "securityGroups": ["sg-maindefault", "sg-main000001"]}},
        "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}},
        "dataDisks": [{"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 100}}],
    },
}).encode()

MOTO_SERVER = """
import json, sys
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
print(json.dumps({"listening": "http://%s:%d" % server.get_host_and_port()}), flush=True)
sys.stdin.read()  # serve until the parent closes stdin
"""


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: bytes
    headers: dict[str, str]


def bench_world(path: Path) -> None:
    """The default world with alice's quotas raised and a subnet big enough for every create of the run."""
    data = World.default().to_dict()
    for account in data["accounts"]:
        if account["pin"] == "alice":
            account["quotas"] = [{**quota, "limit": 10**9} for quota in account["quotas"]]
    for subnet in data["subnets"]:
        if subnet["subnetId"] == "subnet-main00001a":
            subnet["addressPrefix"] = "10.0.128.0/17"
    path.write_text(json.dumps(data), encoding="utf-8")


def one_call(port: int, call: Call, connection: http.client.HTTPConnection | None) -> int:
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = dict(call.headers)
    if connection is None:
        headers["Connection"] = "close"
    conn.request(call.method, call.path, body=call.body or None, headers=headers)
    response = conn.getresponse()
    response.read()
    if connection is None:
        conn.close()
    return response.status


def throughput(port: int, calls: list[Call], *, threads: int, keep_alive: bool, seconds: float) -> float:
    """Requests/s from ``threads`` clients for ``seconds``, client i sending ``calls[i % len(calls)]``; every
    answer must be 200."""
    counts = [0] * threads
    failures: list[str] = []
    deadline = time.perf_counter() + seconds

    def client(slot: int) -> None:
        call = calls[slot % len(calls)]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30) if keep_alive else None
        while time.perf_counter() < deadline:
            status = one_call(port, call, connection)
            if status != 200:
                failures.append(f"{call.method} {call.path}: HTTP {status}")
                return
            counts[slot] += 1
        if connection is not None:
            connection.close()

    start = time.perf_counter()
    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise RuntimeError(failures[0])
    return sum(counts) / elapsed


def start_moto() -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen([sys.executable, "-c", MOTO_SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)  # werkzeug logs every request there
    assert process.stdout is not None
    url = json.loads(process.stdout.readline())["listening"]
    return process, int(url.rsplit(":", 1)[1])


def moto_calls(port: int) -> dict[str, list[Call]]:
    """Set up a VPC, four subnets, two security groups and one instance in the moto server; the calls. Each
    client thread creates in its own subnet: moto's address allocator fails when two threads share a subnet."""
    import boto3

    ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{port}",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{64 * i}.0/18", AvailabilityZone="us-east-1a")
               ["Subnet"]["SubnetId"] for i in range(4)]
    groups = [ec2.create_security_group(GroupName=n, Description=n, VpcId=vpc)["GroupId"] for n in ("a", "b")]
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    run = {"Action": "RunInstances", "Version": "2016-11-15", "ImageId": image, "MinCount": "1", "MaxCount": "1",
           "InstanceType": "t3.medium",
           "SecurityGroupId.1": groups[0], "SecurityGroupId.2": groups[1],
           "BlockDeviceMapping.1.DeviceName": "/dev/sda1", "BlockDeviceMapping.1.Ebs.VolumeSize": "40",
           "BlockDeviceMapping.2.DeviceName": "/dev/sdb", "BlockDeviceMapping.2.Ebs.VolumeSize": "100"}
    form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            # moto routes on the credential scope's service; no signature is checked
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ec2/aws4_request, "
                             "SignedHeaders=host, Signature=0"}
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.medium",
                                 SubnetId=subnets[0])["Instances"][0]["InstanceId"]
    describe = {"Action": "DescribeInstances", "Version": "2016-11-15", "InstanceId.1": instance}
    return {"describeInstance": [Call("POST", "/", urlencode(describe).encode(), form)],
            "createInstances": [Call("POST", "/", urlencode({**run, "SubnetId": subnet}).encode(), form)
                                for subnet in subnets]}


def vmrules_calls(port: int) -> dict[str, list[Call]]:
    json_headers = {"Content-Type": "application/json"}
    create = Call("POST", f"/v1/regions/{NORTH}/instances", CREATE_BODY, json_headers)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(create.method, create.path, body=create.body, headers=create.headers)
    instance = json.loads(conn.getresponse().read())["result"]["instanceIds"][0]
    conn.close()
    return {"describeInstance": [Call("GET", f"/v1/regions/{NORTH}/instances/{instance}", b"", {})],
            "createInstances": [create]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=0.5, help="length of one measurement")
    parser.add_argument("--rounds", type=int, default=5, help="measurements per cell (the median is kept)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--no-moto", action="store_true", help="measure vmrules serve only")
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores", file=sys.stderr)

    with tempfile.TemporaryDirectory() as tmp:
        world = Path(tmp) / "world.json"
        bench_world(world)
        moto: tuple[subprocess.Popen[str], int] | None = None if args.no_moto else start_moto()
        try:
            with ServerProcess("--no-auth", "--world", str(world)) as ours:
                servers = {"vmrules": (ours.port, vmrules_calls(ours.port))}
                if moto is not None:
                    servers["moto"] = (moto[1], moto_calls(moto[1]))
                rows = measure(servers, args.seconds, args.rounds)
        finally:
            if moto is not None:
                assert moto[0].stdin is not None
                moto[0].stdin.close()
                moto[0].wait(timeout=30)
    print_table(rows)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


def measure(servers: dict[str, tuple[int, dict[str, list[Call]]]], seconds: float,
            rounds: int) -> list[dict[str, Any]]:
    """The median over ``rounds`` of each cell; within a round every cell and server takes its turn, so a
    burst of load from elsewhere on the machine hits all of them alike. describeInstance comes first (moto's
    describe slows down as creates add instances)."""
    cells = [(operation, threads, keep_alive) for operation in ("describeInstance", "createInstances")
             for threads in (1, 4) for keep_alive in (True, False)]
    samples: dict[tuple[str, int, bool, str], list[float]] = {}
    for operation in ("describeInstance", "createInstances"):
        for _ in range(rounds):
            for cell in cells:
                if cell[0] != operation:
                    continue
                for name, (port, calls) in servers.items():
                    rate = throughput(port, calls[operation], threads=cell[1], keep_alive=cell[2], seconds=seconds)
                    samples.setdefault((*cell, name), []).append(rate)
    rows = []
    for operation, threads, keep_alive in cells:
        row: dict[str, Any] = {"operation": operation, "threads": threads,
                               "connection": "keep-alive" if keep_alive else "new per request"}
        for name in servers:
            row[name] = statistics.median(samples[(operation, threads, keep_alive, name)])
        if "moto" in row:
            row["ratio"] = row["vmrules"] / row["moto"]
        rows.append(row)
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    fmt: Callable[[Any], str] = lambda v: f"{v:,.0f}" if isinstance(v, float) else str(v)  # noqa: E731
    print("| operation | threads | connection | vmrules req/s | moto req/s | ratio |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        ratio = f"{row['ratio']:.1f}×" if "ratio" in row else "-"
        print(f"| {row['operation']} | {row['threads']} | {row['connection']} | {fmt(row['vmrules'])} | "
              f"{fmt(row.get('moto', '-'))} | {ratio} |")


if __name__ == "__main__":
    raise SystemExit(main())
