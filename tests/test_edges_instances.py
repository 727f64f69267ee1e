"""Edges of the instance power and removal operations (startInstance, stopInstance, rebootInstance,
deleteInstance) that tests/test_instance_power.py and tests/test_delete_instance.py leave open: what the
completion of a delete leaves to the tasks of the resources it keeps."""

from __future__ import annotations

import pytest
from helpers import NORTH, instance, ok, run

from vmrules import World, advance, check, settle

SHARED = "vol-shared00001"


@pytest.mark.effect("DELETE_INSTANCE.KEEPS_OTHER_DISKS")
def test_a_delete_leaves_a_kept_shared_disks_attach_to_another_instance_in_progress(world: World) -> None:
    iid, world = instance(world)
    jid, world = instance(world)
    world = settle(ok(run(world, "attachDisk", instanceId=iid, diskId=SHARED)))
    deleted_at = world.clock
    world = ok(run(world, "deleteInstance", instanceId=iid))
    world = ok(run(advance(world, 5), "attachDisk", instanceId=jid, diskId=SHARED))
    # Only the delete is due: the shared disk is kept, and its attach to the other instance still runs.
    world = settle(world, started_by=deleted_at)
    assert iid not in world.instances
    assert sorted(world.tasks) == sorted([jid, SHARED])
    assert [(a.instance_id, a.status) for a in world.disks[SHARED].attachments] == [(jid, "attaching")]
    busy = [e.rule for e in check(world, "detachDisk", {"regionId": NORTH, "instanceId": jid, "diskId": SHARED})]
    assert busy == ["DETACH_DISK.NO_TASK", "DETACH_DISK.DISK_NO_TASK"]
    world = settle(world)
    assert [(a.instance_id, a.status) for a in world.disks[SHARED].attachments] == [(jid, "attached")]
