"""What every image operation shares: the image-scoped request and context, image visibility and ownership
rules, the image quota, and the snapshot bookkeeping of images being made (new snapshot, finish image)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from operator import attrgetter
from typing import Any

from vmrules.builders import add_snapshot
from vmrules.model import Image, Task
from vmrules.operation import Ctx, Request
from vmrules.operations.common import as_source, exists_rule
from vmrules.rules import Finding, Findings, Phase, Rule, Source, inferred
from vmrules.world import World

JSON = dict[str, Any]

# 单个镜像最多可共享给20个京东云帐户 (seed, shareImage).
IMAGE_SHARE_MAX = 20


class ImageRequest(Request):
    """Parameters of every operation addressed to one image."""

    imageId: str


@dataclass(slots=True)
class ImageCtx(Ctx[Any]):
    """Context of an image operation: ``image`` is None when the caller cannot see it (or none was named)."""

    image: Image | None


def image_context(world: World, caller: str, req: Any) -> ImageCtx:
    image_id = getattr(req, "imageId", None)
    image = world.image(caller, req.regionId, image_id) if image_id is not None else None
    return ImageCtx(world, caller, req, image)


image_exists: Rule[ImageCtx] = exists_rule(
    "IMAGE.EXISTS", "image", "imageId", resolved=attrgetter("image"),
    requested=lambda ctx: getattr(ctx.req, "imageId", None),
    statement="The image exists in the region and the caller can see it: an official or third-party image, "
    "one of its own private images, or a private image shared with it.",
    source=inferred("an image the caller cannot see is not found, so another account's private image does "
                    "not leak"),
)


def own_private(caller: str, image: Image) -> bool:
    """The caller's own private image (个人私有镜像)."""
    return image.source == "private" and image.owner == caller


def image_kind(caller: str, image: Image) -> str:
    if image.source == "public":
        return "an official image"
    if image.source == "thirdparty":
        return "a third-party image"
    if image.owner != caller:
        return f"a private image of account {image.owner} shared with you"
    return "your private image"


def own_private_rule(rule_id: str, quote: str | Source, action: str) -> Rule[ImageCtx]:
    """PERMISSION_DENIED unless the (visible) image is the caller's own private image."""

    def check(ctx: ImageCtx) -> Findings:
        image = ctx.image
        if image is None or own_private(ctx.caller, image):
            return None
        return Finding(f"image {image.image_id} is {image_kind(ctx.caller, image)}; only your own private images "
                       f"can be {action}")

    return Rule(rule_id, Phase.PERMISSION, f"Only the caller's own private images can be {action}.",
                as_source(quote), "imageId", check)


def image_share_limit(world: World, pin: str) -> int:
    """How many accounts one image of ``pin`` may be shared with: the seed's 20, or less if the account's
    ``imageShare`` quota says so. A quota of 0, or none (an account's quotas leave a type out: limit 0, as
    for every other type), allows no share; an owner that is no account (the platform's images) has the 20."""
    account = world.account(pin)
    return IMAGE_SHARE_MAX if account is None else min(IMAGE_SHARE_MAX, account.quota("imageShare"))


def set_image(world: World, image: Image) -> World:
    return world.with_image(image)


def image_snapshot_ids(world: World, image: Image) -> Iterator[str]:
    """The snapshots made for ``image`` (linked to it), system disk first."""
    candidates = [image.snapshot_id, *(d.snapshot_id for d in image.data_disks)]
    for sid in candidates:
        if sid is None:
            continue
        snap = world.snapshots.get(sid)
        if snap is not None and snap.image_id == image.image_id:
            yield sid


# An image being made keeps what it is made from busy: createImage's instance and every disk it snapshots,
# copyImages' source image each carry a task of this kind (ref: the image being made) until the image is
# finished, so that every "no task in progress" rule refuses to change them meanwhile.
IMAGE_SOURCE_TASK = "heldForImage"
# The task kinds of an image being made (on the image itself).
IMAGE_MAKING_TASKS = ("createImage", "copyImage")


def hold_sources(world: World, image_id: str, source_ids: Iterable[str]) -> World:
    """``world`` with an IMAGE_SOURCE_TASK on each of ``source_ids`` for the image ``image_id``."""
    for rid in source_ids:
        world = world.with_task(rid, IMAGE_SOURCE_TASK, image_id)
    return world


def _held_sources(world: World, image: Image, task: Task) -> Iterator[str]:
    """The resources that carry an IMAGE_SOURCE_TASK for ``image``: among the instance it was made from,
    the source of a copy (``task.ref``) and the disks its snapshots were taken of."""
    candidates = [image.source_instance_id, task.ref,
                  *(world.snapshots[sid].source_disk_id for sid in image_snapshot_ids(world, image))]
    for rid in candidates:
        held = world.tasks.get(rid) if rid is not None else None
        if held is not None and held.kind == IMAGE_SOURCE_TASK and held.ref == image.image_id:
            yield held.resource_id


# effect: CREATE_IMAGE.CREATES, COPY_IMAGES.COPIES (settle: the image becomes ready)
def finish_image(world: World, task: Task) -> World:
    """pending → ready; the image's snapshots become available and what it was made from is free again."""
    image = world.images.get(task.resource_id)
    if image is None:
        return world
    for rid in list(_held_sources(world, image, task)):
        world = world.without_task(rid)
    for sid in list(image_snapshot_ids(world, image)):
        world = world.evolve(snapshots=world.snapshots.set(sid, replace(world.snapshots[sid], status="available")))
    return set_image(world, replace(image, status="ready", progress="100%"))


def release_source(world: World, task: Task) -> World:
    """The completion of an IMAGE_SOURCE_TASK: the image it holds for is finished (and with it every other
    source it holds); total when that image or its task is gone."""
    image_task = world.tasks.get(task.ref) if task.ref is not None else None
    if image_task is None or image_task.kind not in IMAGE_MAKING_TASKS:
        return world
    return finish_image(world.without_task(image_task.resource_id), image_task)


def new_snapshot(world: World, *, owner: str, region: str, disk_type: str, size_gb: int,
                  source_disk_id: str | None, image_id: str) -> tuple[str, World]:
    sid, world = add_snapshot(world, owner=owner, region=region, disk_type=disk_type, size_gb=size_gb,
                              source_disk_id=source_disk_id, image_id=image_id)
    return sid, world.evolve(snapshots=world.snapshots.set(sid, replace(world.snapshots[sid], status="creating")))


def image_quota(world: World, caller: str, region: str, adding: int) -> Findings:
    account = world.account(caller)
    if account is None:
        return None
    limit = account.quota("image")
    used = world.used(caller, region, "image")
    if used + adding <= limit:
        return None
    return Finding(f"image quota in {region} is {limit} and {used} are used; {adding} more would exceed it")
