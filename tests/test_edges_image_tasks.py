"""Edges of an image being made (operations/images/common.py) that tests/test_image_tasks.py leaves open: the
image's task and the tasks holding its sources finish together whichever falls due first, also when they fall
due at different times (``settle(started_by=...)``); finishing leaves a source's unrelated task alone, and a
hold whose image is finished already just ends."""

from __future__ import annotations

from dataclasses import replace

from helpers import instance, ok, run

from vmrules import World, advance, settle
from vmrules.builders import DataDiskPlan
from vmrules.model import Task


def imaging(world: World) -> tuple[str, str, list[str], World]:
    """(instance id, image id, the held sources, the world right after createImage)."""
    iid, world = instance(world, status="stopped", data_disks=[DataDiskPlan("ssd", 20)])
    out = run(world, "createImage", instanceId=iid, name="backup")
    busy = ok(out)
    inst = busy.instances[iid]
    assert inst.system_disk.disk_id is not None
    return iid, out.result["imageId"], [iid, inst.system_disk.disk_id, inst.data_disks[0].disk_id], busy


def restarted(world: World, resource_ids: list[str], seconds: int) -> World:
    """``world`` with the tasks on ``resource_ids`` started ``seconds`` later than they were."""
    tasks = world.tasks
    for rid in resource_ids:
        tasks = tasks.set(rid, replace(tasks[rid], started=tasks[rid].started + seconds))
    return advance(world.evolve(tasks=tasks), seconds)


def test_the_image_falling_due_first_frees_every_source(world: World) -> None:
    _, img, held, busy = imaging(world)
    later = restarted(busy, held, 60)
    done = settle(later, started_by=busy.clock)  # only the image's own task is due
    assert done.images[img].status == "ready"
    assert not done.tasks


def test_a_source_falling_due_first_finishes_the_image(world: World) -> None:
    _, img, _, busy = imaging(world)
    later = restarted(busy, [img], 60)
    done = settle(later, started_by=busy.clock)  # only the sources' holding tasks are due
    assert done.images[img].status == "ready"
    assert not done.tasks


def test_finishing_the_image_leaves_a_source_s_other_task_alone(world: World) -> None:
    _, img, held, busy = imaging(world)
    data_disk = held[2]
    # The data disk's task replaced by one that is not this image's hold (another kind; another image).
    for other in (Task("attachDisk", data_disk, busy.clock + 60, held[0]),
                  Task("heldForImage", data_disk, busy.clock + 60, "img-other0001")):
        later = advance(busy.evolve(tasks=busy.tasks.set(data_disk, other)), 60)
        done = settle(later, started_by=busy.clock)
        assert done.images[img].status == "ready"
        assert dict(done.tasks) == {data_disk: other}
        assert not settle(done).tasks  # a hold whose image task is gone just ends
