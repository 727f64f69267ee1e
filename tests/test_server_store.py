"""The emulator's SQLite state store: restart from snapshot and log, SIGKILL at random moments, format versions,
migration of old JSON state files, and the log exported as a `vmrules run` trace that replays."""

from __future__ import annotations

import http.client
import json
import random
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from vmrules import World, execute, settle
from vmrules.server import Emulator
from vmrules.server.process import ServerProcess, serve_args
from vmrules.server.store import FORMAT_VERSION, Store, StoreError
from vmrules.testing.invariants import check_invariants

REGION = "cn-north-1"
INSTANCES = f"/v1/regions/{REGION}/instances"


def spec(name: str) -> dict[str, Any]:
    return {"regionId": REGION, "instanceSpec": {
        "name": name, "az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": "img-centos7cld",
        "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
        "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}}}}


def roomy_world(path: Path) -> Path:
    """The default world with alice's quotas and subnet big enough for every create of a test."""
    data = World.default().to_dict()
    for account in data["accounts"]:
        if account["pin"] == "alice":
            account["quotas"] = [{**quota, "limit": 100_000} for quota in account["quotas"]]
    for subnet in data["subnets"]:
        if subnet["subnetId"] == "subnet-main00001a":
            # 10.0.1.0/24 widened to 10.0.0.0/16: the same addresses (the interfaces in it keep theirs), so
            # host numbers shift by 256.
            subnet["addressPrefix"] = "10.0.0.0/16"
            subnet["nextHost"] += 256
            subnet["reservedHosts"] = [host + 256 for host in subnet["reservedHosts"]]
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def post(port: int, path: str, body: Any) -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def server_world(server: ServerProcess) -> World:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    connection.request("GET", "/admin/world")
    data = json.loads(connection.getresponse().read())
    connection.close()
    return World.from_dict(data["result"])


def names(world: World) -> set[str]:
    return {inst.name for inst in world.instances.values()}


# ---- in process -------------------------------------------------------------------------------------------


def test_restart_loads_the_latest_snapshot_and_replays_the_tail(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db", World.default(), snapshot_every=3)
    emu = Emulator(World.default(), store=store, auth=False, frozen_clock=True)
    for n in range(8):
        assert emu.handle("POST", INSTANCES, "", {}, json.dumps(spec(f"vm{n}")).encode()).status == 200
    stop = {"regionId": REGION, "instanceId": sorted(emu.world.instances)[0]}
    assert emu.handle("POST", f"{INSTANCES}/{stop['instanceId']}:stopInstance", "", {}, b"{}").status == 200
    assert emu.handle("POST", "/admin/advance", "", {"content-type": "application/json"},
                      b'{"seconds": 90}').status == 200
    expected = emu.world
    store.close()  # waits for the snapshot thread
    db = sqlite3.connect(tmp_path / "s.db")
    snapshots = [row[0] for row in db.execute("SELECT seq FROM snapshots ORDER BY seq")]
    db.close()
    assert snapshots[0] == 0 and len(snapshots) == 2 and snapshots[-1] % 3 == 0  # the base and the latest
    reopened = Store.open(tmp_path / "s.db", World.default())
    assert reopened.last_seq == 10
    assert reopened.load() == expected  # the snapshot plus the replayed tail is the world the clients saw
    reopened.close()


def test_an_unknown_store_version_is_refused(tmp_path: Path) -> None:
    Store.open(tmp_path / "s.db", World.default()).close()
    db = sqlite3.connect(tmp_path / "s.db")
    db.execute("UPDATE meta SET value = ? WHERE key = 'version'", (str(FORMAT_VERSION + 1),))
    db.commit()
    db.close()
    with pytest.raises(StoreError, match=f"format version {FORMAT_VERSION + 1}; this vmrules reads version"):
        Store.open(tmp_path / "s.db", World.default())
    other = tmp_path / "other.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="not a vmrules state store"):
        Store.open(other, World.default())
    result = subprocess.run([sys.executable, "-m", "vmrules.server", "--no-auth", "--state", str(tmp_path / "s.db")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "format version" in result.stderr and "Traceback" not in result.stderr


def test_an_old_json_state_file_is_migrated(tmp_path: Path) -> None:
    world = settle(execute(World.default(), "createInstances", spec("kept")).world)
    state = tmp_path / "state.json"
    state.write_text(json.dumps(world.to_dict()), encoding="utf-8")
    store = Store.open(state, World.default())
    assert store.load() == world
    store.close()
    assert (tmp_path / "state.json.json-backup").exists()
    assert state.read_bytes().startswith(b"SQLite format 3")
    broken = tmp_path / "broken"
    broken.write_text("neither", encoding="utf-8")
    with pytest.raises(StoreError, match="neither a vmrules state database nor a JSON world snapshot"):
        Store.open(broken, World.default())


# ---- over HTTP, in subprocesses --------------------------------------------------------------------------


def test_sigkill_at_random_moments_loses_no_acknowledged_write(tmp_path: Path) -> None:
    """Ten rounds: three clients create instances while the server is SIGKILLed after a random delay. After each
    restart every acknowledged create is there, the world is whole (invariants), and only the creates that were
    in flight at the kill may be there unacknowledged."""
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    state = tmp_path / "state.db"
    args = [*serve_args(world=str(roomy_world(tmp_path / "world.json")), state=str(state)),
            "--snapshot-every", "5", "--clock", "world"]
    acknowledged: set[str] = set()
    sent: set[str] = set()
    for round_ in range(10):
        with ServerProcess(*args) as server:
            world = server_world(server)
            assert acknowledged <= names(world), f"seed {seed}, round {round_}: acknowledged writes lost"
            assert names(world) - {"vm"} <= sent, f"seed {seed}: an instance nobody sent"
            assert check_invariants(world) == [], f"seed {seed}, round {round_}: a half-applied change"
            lock = threading.Lock()

            def client(slot: int, port: int = server.port, round_: int = round_, lock: threading.Lock = lock) -> None:
                for n in range(10_000):
                    name = f"r{round_}-c{slot}-{n}"
                    with lock:
                        sent.add(name)
                    try:
                        status, _ = post(port, INSTANCES, spec(name))
                    except (OSError, http.client.HTTPException, ValueError):
                        return  # the server is gone
                    if status == 200:
                        with lock:
                            acknowledged.add(name)

            threads = [threading.Thread(target=client, args=(slot,)) for slot in range(3)]
            for thread in threads:
                thread.start()
            time.sleep(rng.uniform(0.05, 0.6))
            server.kill()
            for thread in threads:
                thread.join(timeout=60)
            assert not any(thread.is_alive() for thread in threads)
    with ServerProcess(*args) as server:
        world = server_world(server)
        assert acknowledged <= names(world) and check_invariants(world) == []
    assert len(acknowledged) >= 10, "the clients hardly wrote anything: the test proved little"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.db", "world.json"]  # nothing left behind


def test_the_log_exported_as_a_trace_replays_to_the_same_world(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    args = [*serve_args(state=str(state)), "--clock", "world", "--frozen-clock"]
    with ServerProcess(*args) as server:
        status, created = post(server.port, INSTANCES, spec("traced"))
        assert status == 200
        iid = created["result"]["instanceIds"][0]
        assert post(server.port, f"{INSTANCES}/{iid}:stopInstance", {})[0] == 200
        assert post(server.port, f"{INSTANCES}/{iid}:stopInstance", {})[0] == 400  # refused: changes nothing
        assert post(server.port, "/admin/advance", {"seconds": 30})[0] == 200
        assert post(server.port, f"{INSTANCES}/{iid}:startInstance", {})[0] == 200
        final = server_world(server)
    exported = subprocess.run([sys.executable, "-m", "vmrules.server", "--no-auth", "--state", str(state),
                               "--export-trace", str(tmp_path / "out")], capture_output=True, text=True, timeout=60)
    assert exported.returncode == 0, exported.stderr
    trace = (tmp_path / "out" / "trace.jsonl").read_text()
    steps = [json.loads(line)["op"] for line in trace.splitlines() if not line.startswith("#")]
    assert steps == ["createInstances", "settle", "stopInstance", "settle", "advance", "settle", "startInstance",
                     "settle"]  # accepted changes only: a refusal is not in the log
    replayed = subprocess.run([sys.executable, "-m", "vmrules", "run", str(tmp_path / "out" / "trace.jsonl"),
                               "--world", str(tmp_path / "out" / "world.json"), "--out", str(tmp_path / "final.json")],
                              capture_output=True, text=True, timeout=60)
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert World.from_dict(json.loads((tmp_path / "final.json").read_text())) == final
