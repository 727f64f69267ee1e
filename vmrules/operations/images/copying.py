"""copyImages: copies of the caller's own private cloudDisk images, pending in another region until settle."""

from __future__ import annotations

from dataclasses import dataclass, replace

from vmrules.effects import StatusChange, status
from vmrules.model import Image
from vmrules.operation import Ctx, Operation, Request
from vmrules.operations.common import region_exists
from vmrules.operations.images.common import (
    JSON,
    hold_sources,
    image_kind,
    image_quota,
    new_snapshot,
    own_private,
    set_image,
)
from vmrules.operations.params import description_rule, name_rule
from vmrules.rules import Finding, Findings, Phase, inferred, rule, sdk_doc, seed
from vmrules.world import World

# copyImages: 要复制的私有镜像ID列表，最多支持10个 (SDK).
COPY_IMAGES_MAX = 10


class CopyImagesRequest(Request):
    sourceImageIds: list[str]
    destinationRegion: str
    name: str | None = None
    description: str | None = None


@dataclass(slots=True)
class CopyCtx(Ctx[CopyImagesRequest]):
    """``sources``: each requested id with the image the caller can see (None when it cannot)."""

    sources: list[tuple[str, Image | None]]


def _copy_context(world: World, caller: str, req: CopyImagesRequest) -> CopyCtx:
    return CopyCtx(world, caller, req, [(i, world.image(caller, req.regionId, i)) for i in req.sourceImageIds])


@rule(
    "COPY_IMAGES.IDS_COUNT",
    phase=Phase.PARAMETERS,
    statement=f"sourceImageIds lists 1 to {COPY_IMAGES_MAX} image ids.",
    source=sdk_doc("copyImages sourceImageIds: 要复制的私有镜像ID列表，最多支持10个"),
    field="sourceImageIds",
)
def copy_ids_count(ctx: CopyCtx) -> Findings:
    n = len(ctx.req.sourceImageIds)
    if 1 <= n <= COPY_IMAGES_MAX:
        return None
    return Finding(f"sourceImageIds has {n} ids; allowed 1 to {COPY_IMAGES_MAX}")


@rule(
    "COPY_IMAGES.IDS_UNIQUE",
    phase=Phase.PARAMETERS,
    statement="sourceImageIds names each image at most once.",
    source=inferred("the result maps each source id to one copy; a repeated id would be ambiguous"),
    field="sourceImageIds",
)
def copy_ids_unique(ctx: CopyCtx) -> Findings:
    seen: set[str] = set()
    found = []
    for i, image_id in enumerate(ctx.req.sourceImageIds):
        if image_id in seen:
            found.append(Finding(f"sourceImageIds.{i} {image_id!r} is listed twice", f"sourceImageIds.{i}"))
        seen.add(image_id)
    return found


@rule(
    "COPY_IMAGES.DESTINATION_EXISTS",
    phase=Phase.PARAMETERS,
    statement="destinationRegion names a region of the world.",
    source=inferred("images are copied into an existing region"),
    field="destinationRegion",
)
def copy_destination_exists(ctx: CopyCtx) -> Findings:
    if ctx.req.destinationRegion in ctx.world.regions:
        return None
    known = ", ".join(sorted(ctx.world.regions))
    return Finding(f"destinationRegion {ctx.req.destinationRegion!r} is not a region (known: {known})")


@rule(
    "COPY_IMAGES.OTHER_REGION",
    phase=Phase.PARAMETERS,
    statement="destinationRegion differs from the source region (regionId).",
    source=seed("镜像跨区复制，将私有镜像复制到其它地域下"),
    field="destinationRegion",
)
def copy_other_region(ctx: CopyCtx) -> Findings:
    if ctx.req.destinationRegion != ctx.req.regionId:
        return None
    return Finding(f"destinationRegion {ctx.req.destinationRegion!r} is the source region; copyImages copies "
                   "images to another region")


@rule(
    "COPY_IMAGES.IMAGE_EXISTS",
    phase=Phase.EXISTENCE,
    statement="Every source image exists in the region and the caller can see it.",
    source=inferred("an image the caller cannot see is not found"),
    field="sourceImageIds",
)
def copy_image_exists(ctx: CopyCtx) -> Findings:
    if ctx.req.regionId not in ctx.world.regions:
        return None
    return [Finding(f"image {image_id!r} not found in region {ctx.req.regionId}", f"sourceImageIds.{i}")
            for i, (image_id, image) in enumerate(ctx.sources) if image is None]


@rule(
    "COPY_IMAGES.CLOUD_DISK_ONLY",
    phase=Phase.COMPATIBILITY,
    statement="Only images whose rootDeviceType is cloudDisk can be copied.",
    source=seed("只支持rootDeviceType为cloudDisk的云硬盘系统盘镜像操作"),
    field="sourceImageIds",
)
def copy_cloud_disk_only(ctx: CopyCtx) -> Findings:
    return [Finding(f"image {image.image_id} has rootDeviceType {image.root_device_type}; only cloudDisk images "
                    "can be copied", f"sourceImageIds.{i}")
            for i, (_, image) in enumerate(ctx.sources)
            if image is not None and image.root_device_type != "cloudDisk"]


@rule(
    "COPY_IMAGES.OWN_PRIVATE",
    phase=Phase.PERMISSION,
    statement="Only the caller's own private images can be copied.",
    source=seed("将私有镜像复制到其它地域下，只允许操作您的个人私有镜像"),
    field="sourceImageIds",
)
def copy_own_private(ctx: CopyCtx) -> Findings:
    return [Finding(f"image {image.image_id} is {image_kind(ctx.caller, image)}; only your own private images "
                    "can be copied", f"sourceImageIds.{i}")
            for i, (_, image) in enumerate(ctx.sources)
            if image is not None and not own_private(ctx.caller, image)]


@rule(
    "COPY_IMAGES.SOURCE_READY",
    phase=Phase.STATE,
    statement="Every source image is ready.",
    source=seed("调用接口后，需要等待镜像状态变为<b>ready</b>后，才能正常使用镜像"),
    field="sourceImageIds",
)
def copy_source_ready(ctx: CopyCtx) -> Findings:
    return [Finding(f"image {image.image_id} is {image.status}; only a ready image can be copied",
                    f"sourceImageIds.{i}")
            for i, (_, image) in enumerate(ctx.sources)
            if image is not None and image.status != "ready"]


@rule(
    "COPY_IMAGES.SOURCE_NO_TASK",
    phase=Phase.STATE,
    statement="No source image has a task in progress (a copy of it still being made).",
    source=inferred("a source carries the task of its copy until the copy is ready, so that it cannot be deleted "
                    "meanwhile; one task at a time, so a second copy waits for the first"),
    field="sourceImageIds",
)
def copy_source_no_task(ctx: CopyCtx) -> Findings:
    return [Finding(f"image {image.image_id} has a task in progress ({ctx.world.tasks[image.image_id].kind}); "
                    "retry after it completes", f"sourceImageIds.{i}")
            for i, (_, image) in enumerate(ctx.sources)
            if image is not None and image.status == "ready" and image.image_id in ctx.world.tasks]


@rule(
    "COPY_IMAGES.QUOTA",
    phase=Phase.QUOTA,
    statement="The account's image quota in the destination region allows the copies.",
    source=inferred("copies are private images of the caller in the destination region, counted against its "
                    "image quota there like createImage's"),
)
def copy_quota(ctx: CopyCtx) -> Findings:
    if ctx.req.destinationRegion not in ctx.world.regions:
        return None
    return image_quota(ctx.world, ctx.caller, ctx.req.destinationRegion, len(ctx.req.sourceImageIds))


# effect: COPY_IMAGES.COPIES
def _copy_images(ctx: CopyCtx) -> tuple[World, JSON]:
    world = ctx.world
    dest = ctx.req.destinationRegion
    pairs = []
    for source_id, image in ctx.sources:
        assert image is not None  # rules guarantee it
        new_id, world = world.new_id("img-")
        snapshot_id: str | None = None
        if image.snapshot_id is not None:
            snapshot_id, world = new_snapshot(world, owner=ctx.caller, region=dest, disk_type=_snap_type(world, image),
                                               size_gb=image.system_disk_size_gb, source_disk_id=None,
                                               image_id=new_id)
        disks = []
        for d in image.data_disks:
            sid = None
            if d.snapshot_id is not None:
                sid, world = new_snapshot(world, owner=ctx.caller, region=dest, disk_type=d.disk_type,
                                           size_gb=d.size_gb, source_disk_id=None, image_id=new_id)
            disks.append(replace(d, snapshot_id=sid))
        copy = replace(
            image, image_id=new_id, region=dest, name=ctx.req.name or image.name,
            desc=image.desc if ctx.req.description is None else ctx.req.description, status="pending",
            create_time=world.clock, snapshot_id=snapshot_id, data_disks=tuple(disks), shared_with=(),
            constraint=None, progress="0%",
        )
        world = set_image(world, copy).add_usage(ctx.caller, dest, "image", 1)
        world = hold_sources(world.with_task(new_id, "copyImage", source_id), new_id, [source_id])
        pairs.append({"sourceImageId": source_id, "destinationImageId": new_id})
    return world, {"copyImages": pairs}


def _snap_type(world: World, image: Image) -> str:
    snap = world.snapshots.get(image.snapshot_id or "")
    return snap.disk_type if snap is not None else "ssd"


COPIES = status(
    "COPY_IMAGES.COPIES",
    "Each copy is a new private image of the caller in the destination region, pending until its task "
    "completes, then ready; it is shared with nobody.",
    seed("将私有镜像复制到其它地域下"),
    StatusChange("image", (), "pending", "ready", "copyImage"),
)


COPY_IMAGES = Operation[CopyImagesRequest, CopyCtx](
    name="copyImages",
    method="POST",
    path="/regions/{regionId}/images:copyImages",
    summary="镜像跨区复制，将私有镜像复制到其它地域下，只允许操作您的个人私有镜像。只支持rootDeviceType为cloudDisk的云硬盘系统盘镜像操作。",
    request=CopyImagesRequest,
    context=_copy_context,
    rules=(
        region_exists,
        copy_ids_count,
        copy_ids_unique,
        copy_destination_exists,
        copy_other_region,
        name_rule("COPY_IMAGES.NAME", lambda r: r.name, "name",
                  sdk_doc("copyImages name: 复制出新镜像的名称 (公共参数规范 name rule)")),
        description_rule("COPY_IMAGES.DESCRIPTION", lambda r: r.description, "description",
                         sdk_doc("copyImages description: 复制出新镜像的描述，不超过256个字符")),
        copy_image_exists,
        copy_cloud_disk_only,
        copy_own_private,
        copy_source_ready,
        copy_source_no_task,
        copy_quota,
    ),
    apply=_copy_images,
    effects=(COPIES,),
)
