"""The emulator's state database (vmrules.server.store) by itself, in process (docs/emulator.md, "The state
database"): its format version, an empty file, the sequence numbers a reopened or replaced store goes on from,
and a snapshot written on the store's own connection. Restarts of a real server are in test_server_store.py."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from vmrules import World
from vmrules.builders import add_instances
from vmrules.server import Emulator
from vmrules.server.journal import Entry
from vmrules.server.store import Store, StoreError, pack
from vmrules.server.trace import export_trace


def _entry(n: int) -> Entry:
    return Entry("advance", 0, 0, f"r-{n}", seconds=1)


def test_a_new_store_is_format_version_1_and_another_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    Store.open(path, World.default()).close()
    with sqlite3.connect(path) as db:
        assert dict(db.execute("SELECT key, value FROM meta")) == {"format": "vmrules-emulator-store",
                                                                   "version": "1"}  # docs/emulator.md: "(now 1)"
        db.execute("UPDATE meta SET value = '2' WHERE key = 'version'")
    db.close()
    with pytest.raises(StoreError, match="format version 2; this vmrules reads version 1 only"):
        Store.open(path, World.default())


def test_an_empty_file_becomes_a_new_store(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.touch()
    store = Store.open(path, World.default())
    assert store.load() == World.default() and store.snapshot_every == 1000  # --snapshot-every's default
    store.close()


def test_a_file_of_one_byte_is_neither_a_store_nor_a_world(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_bytes(b"5")
    with pytest.raises(StoreError, match="neither a vmrules state database nor a JSON world snapshot"):
        Store.open(path, World.default())


def test_a_reopened_store_goes_on_from_its_last_entry_or_its_last_base(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = Store.open(path, World.default())
    world = World.default()
    for n in range(3):
        store.append(_entry(n), world)
    store.close()
    reopened = Store.open(path, World.default())
    assert reopened.last_seq == 3
    _, bigger = add_instances(World.default(), 2, owner="alice")
    reopened.replace(pack(bigger))  # a new base after entry 3, and the log before it dropped
    assert reopened.last_seq == 4 and reopened.base() == (4, bigger)
    reopened.close()
    reopened = Store.open(path, World.default())
    assert reopened.last_seq == 4  # the new base's number, with no entry after it yet
    reopened.append(_entry(9), bigger)
    assert [seq for seq, _ in reopened.entries(after=0)] == [5]
    reopened.close()
    again = Store.open(path, World.default())
    assert again.last_seq == 5 and again.base()[0] == 4
    again.close()


def test_a_snapshot_can_be_written_on_the_stores_own_connection(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "state.db", World.default())
    world = World.default()
    store.append(_entry(1), world)
    _, later = add_instances(world, 1, owner="alice")
    store.write_snapshot(1, later)
    assert store.load() == later  # the snapshot after entry 1, with no entry after it to replay
    store.close()


def _spec(subnet: str) -> dict[str, object]:
    return {"regionId": "cn-north-1", "instanceSpec": {
        "name": "t", "az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": "img-centos7cld",
        "primaryNetworkInterface": {"networkInterface": {"subnetId": subnet}},
        "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}}}}


def test_an_exported_trace_names_a_callers_account_and_settles_only_after_calls_that_start_tasks(
        tmp_path: Path) -> None:
    store = Store.open(tmp_path / "state.db", World.default())
    emu = Emulator(World.default(), auth=False, store=store, frozen_clock=True, now=lambda: 0.0)
    instances = "/v1/regions/cn-north-1/instances"
    created = emu.handle("POST", instances, "", {"x-vmrules-caller": "bob"},
                         json.dumps(_spec("subnet-bobnet001a")).encode())
    alice = emu.handle("POST", instances, "", {}, json.dumps(_spec("subnet-main00001a")).encode())
    assert created.status == alice.status == 200
    iid = alice.body["result"]["instanceIds"][0]
    renamed = emu.handle("POST", f"{instances}/{iid}:modifyInstanceAttribute", "", {}, b'{"name": "renamed"}')
    assert renamed.status == 200
    assert export_trace(store, tmp_path / "out") == 5
    steps = [json.loads(line) for line in (tmp_path / "out" / "trace.jsonl").read_text().splitlines()[1:]]
    assert [(step["op"], step.get("caller")) for step in steps] == [
        ("createInstances", "bob"), ("settle", None), ("createInstances", None), ("settle", None),
        ("modifyInstanceAttribute", None)]
    assert all("caller" not in step for step in steps[1:])
    store.close()


def test_a_log_whose_tasks_took_time_cannot_be_exported(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "state.db", World.default())
    store.append(Entry("settle", 0, 1, "r-1"), World.default())  # tasks took 1 s when it was made
    with pytest.raises(ValueError, match="ran with --task-seconds above 0"):
        export_trace(store, tmp_path / "out")
    store.close()
