"""The emulator's log entries (vmrules.server.journal): what each kind writes, what reading one back accepts,
and when the tasks an entry's arrival finds complete. docs/emulator.md, "The state database"."""

from __future__ import annotations

from typing import Any

import pytest

from vmrules import World, execute
from vmrules.server.journal import Entry, apply, arrive, complete_due

SPEC = {"name": "j", "az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": "img-centos7cld",
        "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
        "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}}}


@pytest.mark.parametrize(("entry", "written"), [
    (Entry("call", 5, 2, "r-1", "stopInstance", {"instanceId": "i-1"}, "bob"),
     {"kind": "call", "clock": 5, "delay": 2, "requestId": "r-1", "operation": "stopInstance",
      "params": {"instanceId": "i-1"}, "caller": "bob"}),
    (Entry("advance", 5, 0, "r-2", seconds=60), {"kind": "advance", "clock": 5, "delay": 0, "requestId": "r-2",
                                                 "seconds": 60}),
    (Entry("settle", 5, 0, "r-3"), {"kind": "settle", "clock": 5, "delay": 0, "requestId": "r-3"}),
    (Entry("sync", 0, 0, "r-4"), {"kind": "sync", "clock": 0, "delay": 0, "requestId": "r-4"}),
])
def test_each_kind_writes_only_its_own_fields_and_reads_back_equal(entry: Entry, written: dict[str, Any]) -> None:
    assert entry.to_dict() == written
    assert Entry.from_dict(written) == entry


def test_fields_a_kind_does_not_write_read_back_as_their_defaults() -> None:
    entry = Entry.from_dict({"kind": "sync", "clock": 3, "delay": 1, "requestId": "r"})
    assert (entry.operation, entry.params, entry.caller, entry.seconds) == ("", None, None, 0)
    assert Entry("sync", 3, 1, "r").seconds == 0
    call = Entry.from_dict({"kind": "call", "operation": "describeInstances"})
    assert call == Entry("call", 0, 0, "", "describeInstances")


@pytest.mark.parametrize("data", [
    [], "call", {}, {"kind": "reboot"}, {"kind": "call", "clock": -1}, {"kind": "call", "clock": True},
    {"kind": "call", "clock": 1.5}, {"kind": "call", "delay": "0"}, {"kind": "advance", "seconds": -1},
    {"kind": "call", "caller": 7},
])
def test_anything_this_version_did_not_write_is_refused(data: object) -> None:
    with pytest.raises(ValueError, match="log entry"):
        Entry.from_dict(data)


def _pending() -> World:
    created = execute(World.default(), "createInstances", {"regionId": "cn-north-1", "instanceSpec": SPEC})
    assert created.ok and created.world.tasks
    return created.world


def test_a_delay_of_0_completes_every_task_and_1_only_those_a_second_old() -> None:
    world = _pending()  # its task started at the world's clock
    assert not complete_due(world, 0).tasks
    assert complete_due(world, 1).tasks == world.tasks
    later = arrive(world, world.clock + 1, 1)[1]
    assert not later.tasks


def test_a_call_with_a_delay_leaves_its_task_and_one_without_completes_it() -> None:
    params = {"regionId": "cn-north-1", "instanceSpec": SPEC}
    kept = apply(World.default(), Entry("call", World.default().clock, 1, "r", "createInstances", params))
    assert kept.world.tasks and kept.outcome is not None and kept.outcome.ok
    done = apply(World.default(), Entry("call", World.default().clock, 0, "r", "createInstances", params))
    assert not done.world.tasks and done.logged is not None and done.logged.kind == "call"
