"""Image queries: describeImage, describeImages, describeImageConstraints, describeImageConstraintsBatch,
describeImageMembers.

A caller sees official and third-party images, its own private images and private images shared with it
(``World.image``); the views render the latter with ``imageSource`` ``shared``.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import Any

from vmrules.effects import default, effect
from vmrules.indexes import LISTED_SOURCES
from vmrules.model import IMAGE_STATUSES, Image
from vmrules.operation import Ctx, Operation, Request
from vmrules.operations.common import Completion, enum_rule, region_exists
from vmrules.operations.filters import (
    DEFAULT_PAGE_SIZE,
    PagedRequest,
    page,
    page_bounds,
    page_number_rule,
    page_size_rule,
)
from vmrules.operations.images import ImageCtx, ImageRequest, image_context, image_exists, own_private_rule
from vmrules.operations.params import unmodelled_rule
from vmrules.rules import Finding, Findings, Phase, rule, sdk_doc, seed
from vmrules.views import image_view
from vmrules.world import World

JSON = dict[str, Any]

IMAGE_SOURCES: tuple[str, ...] = LISTED_SOURCES  # ("public", "thirdparty", "private", "shared"): the listings
ROOT_DEVICE_TYPES: tuple[str, ...] = ("localDisk", "cloudDisk")
ARCHITECTURES: tuple[str, ...] = ("i386", "x86_64", "arm64")


def source_for(caller: str, image: Image) -> str:
    """The image's ``imageSource`` as the caller sees it."""
    if image.source == "private" and image.owner != caller:
        return "shared"
    return image.source


def _named_images(world: World, caller: str, region: str, ids: Iterable[str]) -> list[Image]:
    """The images among ``ids`` the caller can see in the region, each once, in listing order (oldest first,
    ties by id): looked up, O(ids), not found in a listing."""
    named = {i.image_id: i for i in (world.image(caller, region, rid) for rid in ids) if i is not None}
    return sorted(named.values(), key=lambda i: (i.create_time, i.image_id))


# ---- describeImage ----------------------------------------------------------------------------------


class DescribeImageRequest(ImageRequest):
    pass


def _describe_image(ctx: ImageCtx) -> tuple[World, JSON]:
    assert ctx.image is not None  # rules guarantee it
    return ctx.world, {"image": image_view(ctx.world, ctx.image, ctx.caller)}


DESCRIBE_IMAGE = Operation[DescribeImageRequest, ImageCtx](
    name="describeImage",
    method="GET",
    path="/regions/{regionId}/images/{imageId}",
    summary="查询镜像详情。",
    request=DescribeImageRequest,
    context=image_context,
    rules=(region_exists, image_exists),
    apply=_describe_image,
)


# ---- describeImages ---------------------------------------------------------------------------------


class DescribeImagesRequest(PagedRequest):
    imageSource: str | None = None
    platform: str | None = None
    ids: list[str] | None = None
    rootDeviceType: str | None = None
    status: str | None = None
    imageName: str | None = None
    architecture: str | None = None
    instanceIds: list[str] | None = None
    # what the world does not model: refused when they narrow (DESCRIBE_IMAGES.UNMODELLED)
    launchPermission: str | None = None
    bootMode: str | None = None
    offline: bool | None = None
    serviceCode: str | None = None  # 已废弃 (SDK): accepted and ignored


DESCRIBE_IMAGES_UNMODELLED = unmodelled_rule(
    "DESCRIBE_IMAGES.UNMODELLED",
    {"launchPermission": lambda r: r.launchPermission is not None, "bootMode": lambda r: r.bootMode is not None,
     "offline": lambda r: r.offline is True},
    "the world models no launch permissions, boot modes or offline images, so the images they select cannot "
    "be told apart",
    sdk_doc("describeImages launchPermission: 根据镜像的使用权限查询; bootMode: 镜像启动模式，默认bios; "
            "offline: 查询已经下线的镜像时使用"),
)


@rule(
    "DESCRIBE_IMAGES.SOURCE_OR_IDS",
    phase=Phase.PARAMETERS,
    statement="imageSource is required unless ids is given.",
    source=sdk_doc("describeImages imageSource: 镜像来源，如果没有指定 `ids` 参数，此参数必传"),
    field="imageSource",
)
def describe_images_source_or_ids(ctx: Ctx[DescribeImagesRequest]) -> Findings:
    if ctx.req.imageSource is not None or ctx.req.ids is not None:
        return None
    return Finding(f"imageSource is required when ids is not given (one of {', '.join(IMAGE_SOURCES)})")


def _matches(caller: str, image: Image, req: DescribeImagesRequest) -> bool:
    return ((req.ids is None or image.image_id in req.ids)
            and (req.imageSource is None or source_for(caller, image) == req.imageSource)
            and (req.platform is None or image.platform == req.platform)
            and (req.rootDeviceType is None or image.root_device_type == req.rootDeviceType)
            and (req.status is None or image.status == req.status)
            and (req.imageName is None or req.imageName in image.name)
            and (req.architecture is None or image.architecture == req.architecture)
            and (req.instanceIds is None or image.source_instance_id in req.instanceIds))


# effect: DESCRIBE_IMAGES.DEFAULT_PAGE_SIZE, DESCRIBE_IMAGES.LISTS_VISIBLE_IMAGES
def _describe_images(ctx: Ctx[DescribeImagesRequest]) -> tuple[World, JSON]:
    req, world = ctx.req, ctx.world
    if req.ids is not None:  # named images: looked up instead of listed
        candidates: Iterable[Image] = _named_images(world, ctx.caller, ctx.region, req.ids)
    else:  # one source's listing (DESCRIBE_IMAGES.SOURCE_OR_IDS: without ids there is a source), index-served
        source = req.imageSource or ""
        if (req.platform, req.rootDeviceType, req.status, req.imageName, req.architecture,
                req.instanceIds) == (None,) * 6:
            number, size = page_bounds(req.pageNumber, req.pageSize)
            listed = world.listed_images(source, ctx.caller, ctx.region, (number - 1) * size)
            return world, {"images": [image_view(world, i, ctx.caller) for i in islice(listed, size)],
                           "totalCount": world.listed_image_count(source, ctx.caller, ctx.region)}
        candidates = world.listed_images(source, ctx.caller, ctx.region)
    found = [i for i in candidates if _matches(ctx.caller, i, req)]
    shown, total = page(found, req.pageNumber, req.pageSize)
    return world, {"images": [image_view(world, i, ctx.caller) for i in shown], "totalCount": total}


IMAGES_PAGE_DEFAULT = default(
    "DESCRIBE_IMAGES.DEFAULT_PAGE_SIZE", "pageSize", str(DEFAULT_PAGE_SIZE),
    f"Without pageSize a page holds {DEFAULT_PAGE_SIZE} images; without pageNumber it is page 1.",
    seed("此接口支持分页查询，默认每页20条。"),
)
LISTS_VISIBLE_IMAGES = effect(
    "DESCRIBE_IMAGES.LISTS_VISIBLE_IMAGES", "result",
    "The list holds the region's images of the asked imageSource as the caller sees them: public the official "
    "images, thirdparty the third-party ones, private the caller's own, shared those other accounts shared "
    "with the caller; with ids instead, the named ones among all four the caller can see.",
    seed("通过此接口可以查询到京东云官方镜像、第三方镜像、私有镜像、或其他用户共享给您的镜像。"),
)


DESCRIBE_IMAGES = Operation[DescribeImagesRequest, Ctx[DescribeImagesRequest]](
    name="describeImages",
    method="GET",
    path="/regions/{regionId}/images",
    summary="查询镜像信息列表。通过此接口可以查询到京东云官方镜像、第三方镜像、私有镜像、或其他用户共享给您的镜像。"
    "此接口支持分页查询，默认每页20条。",
    request=DescribeImagesRequest,
    context=Ctx,
    rules=(
        region_exists,
        describe_images_source_or_ids,
        enum_rule("DESCRIBE_IMAGES.SOURCE", "imageSource", lambda r: r.imageSource, IMAGE_SOURCES,
                  seed("通过此接口可以查询到京东云官方镜像、第三方镜像、私有镜像、或其他用户共享给您的镜像")),
        enum_rule("DESCRIBE_IMAGES.ROOT_DEVICE_TYPE", "rootDeviceType", lambda r: r.rootDeviceType,
                  ROOT_DEVICE_TYPES, sdk_doc("describeImages rootDeviceType: 支持范围：`localDisk`、`cloudDisk`")),
        enum_rule("DESCRIBE_IMAGES.STATUS", "status", lambda r: r.status, IMAGE_STATUSES,
                  sdk_doc("describeImages status: 镜像状态 pending, ready, deleting, error")),
        enum_rule("DESCRIBE_IMAGES.ARCHITECTURE", "architecture", lambda r: r.architecture, ARCHITECTURES,
                  sdk_doc("describeImages architecture: x86_64, arm64 (Image.architecture also i386)")),
        DESCRIBE_IMAGES_UNMODELLED,
        page_number_rule("DESCRIBE_IMAGES.PAGE_NUMBER"),
        page_size_rule("DESCRIBE_IMAGES.PAGE_SIZE", seed("此接口支持分页查询，默认每页20条")),
    ),
    apply=_describe_images,
    effects=(IMAGES_PAGE_DEFAULT, LISTS_VISIBLE_IMAGES),
)


# ---- describeImageConstraints / describeImageConstraintsBatch --------------------------------------


def constraint_view(image: Image) -> JSON:
    """ImageConstraint. Private images have no constraint: ``imageInstanceTypeConstraint`` is null."""
    c = image.constraint
    return {
        "imageId": image.image_id,
        "imageInstanceTypeConstraint": (
            {"constraintsType": c.constraints_type, "instanceTypes": list(c.instance_types)} if c else None
        ),
    }


class DescribeImageConstraintsRequest(ImageRequest):
    pass


# effect: DESCRIBE_IMAGE_CONSTRAINTS.UNSUPPORTED_TYPES, DESCRIBE_IMAGE_CONSTRAINTS.PRIVATE_UNCONSTRAINED
def _describe_constraints(ctx: ImageCtx) -> tuple[World, JSON]:
    assert ctx.image is not None  # rules guarantee it
    return ctx.world, {"imageConstraints": constraint_view(ctx.image)}


DESCRIBE_IMAGE_CONSTRAINTS_UNSUPPORTED = effect(
    "DESCRIBE_IMAGE_CONSTRAINTS.UNSUPPORTED_TYPES", "result",
    "The image's constraint lists the instance types it does not support.",
    seed("通过此接口可以查看镜像不支持的实例规格。"),
)
DESCRIBE_IMAGE_CONSTRAINTS_PRIVATE = effect(
    "DESCRIBE_IMAGE_CONSTRAINTS.PRIVATE_UNCONSTRAINED", "result",
    "A private image has no constraint (imageInstanceTypeConstraint null); only official and third-party images "
    "can have one.",
    seed("只有官方镜像、第三方镜像有实例规格的限制，个人的私有镜像没有此限制。"),
)


DESCRIBE_IMAGE_CONSTRAINTS = Operation[DescribeImageConstraintsRequest, ImageCtx](
    name="describeImageConstraints",
    method="GET",
    path="/regions/{regionId}/images/{imageId}/constraints",
    summary="查询镜像的实例规格限制。只有官方镜像、第三方镜像有实例规格的限制，个人的私有镜像没有此限制。",
    request=DescribeImageConstraintsRequest,
    context=image_context,
    rules=(region_exists, image_exists),
    apply=_describe_constraints,
    effects=(DESCRIBE_IMAGE_CONSTRAINTS_UNSUPPORTED, DESCRIBE_IMAGE_CONSTRAINTS_PRIVATE),
)


class DescribeImageConstraintsBatchRequest(Request):
    ids: list[str] | None = None


# effect: DESCRIBE_IMAGE_CONSTRAINTS_BATCH.UNSUPPORTED_TYPES, DESCRIBE_IMAGE_CONSTRAINTS_BATCH.PRIVATE_UNCONSTRAINED
def _describe_constraints_batch(ctx: Ctx[DescribeImageConstraintsBatchRequest]) -> tuple[World, JSON]:
    ids = ctx.req.ids
    if ids is None:  # every constrained image the caller sees, from the index (not every image it sees)
        return ctx.world, {"imageConstraints": [constraint_view(i) for i in
                                                ctx.world.constrained_images(ctx.caller, ctx.region)]}
    images = _named_images(ctx.world, ctx.caller, ctx.region, ids)
    return ctx.world, {"imageConstraints": [constraint_view(i) for i in images if i.constraint is not None]}


DESCRIBE_IMAGE_CONSTRAINTS_BATCH_UNSUPPORTED = effect(
    "DESCRIBE_IMAGE_CONSTRAINTS_BATCH.UNSUPPORTED_TYPES", "result",
    "The image's constraint lists the instance types it does not support.",
    seed("通过此接口可以查看镜像不支持的实例规格。"),
)
DESCRIBE_IMAGE_CONSTRAINTS_BATCH_PRIVATE = effect(
    "DESCRIBE_IMAGE_CONSTRAINTS_BATCH.PRIVATE_UNCONSTRAINED", "result",
    "Only images with a constraint are listed, so never a private image; only official and third-party images "
    "can have one.",
    seed("只有官方镜像、第三方镜像有实例规格的限制，个人的私有镜像没有此限制。"),
)


DESCRIBE_IMAGE_CONSTRAINTS_BATCH = Operation[DescribeImageConstraintsBatchRequest,
                                             Ctx[DescribeImageConstraintsBatchRequest]](
    name="describeImageConstraintsBatch",
    method="GET",
    path="/regions/{regionId}/imageConstraints",
    summary="批量查询镜像的实例规格限制。只有官方镜像、第三方镜像有实例规格的限制，个人的私有镜像没有此限制。",
    request=DescribeImageConstraintsBatchRequest,
    context=Ctx,
    rules=(region_exists,),
    apply=_describe_constraints_batch,
    effects=(DESCRIBE_IMAGE_CONSTRAINTS_BATCH_UNSUPPORTED, DESCRIBE_IMAGE_CONSTRAINTS_BATCH_PRIVATE),
)


# ---- describeImageMembers ---------------------------------------------------------------------------


class DescribeImageMembersRequest(ImageRequest):
    pass


def _describe_members(ctx: ImageCtx) -> tuple[World, JSON]:
    assert ctx.image is not None  # rules guarantee it
    return ctx.world, {"pins": list(ctx.image.shared_with)}


DESCRIBE_IMAGE_MEMBERS = Operation[DescribeImageMembersRequest, ImageCtx](
    name="describeImageMembers",
    method="GET",
    path="/regions/{regionId}/images/{imageId}/members",
    summary="查询镜像共享帐户列表，只允许操作您的个人私有镜像。",
    request=DescribeImageMembersRequest,
    context=image_context,
    rules=(
        region_exists,
        image_exists,
        own_private_rule("DESCRIBE_IMAGE_MEMBERS.OWN_PRIVATE", "查询镜像共享帐户列表，只允许操作您的个人私有镜像",
                         "queried for members"),
    ),
    apply=_describe_members,
)


OPERATIONS = (DESCRIBE_IMAGE, DESCRIBE_IMAGES, DESCRIBE_IMAGE_CONSTRAINTS, DESCRIBE_IMAGE_CONSTRAINTS_BATCH,
              DESCRIBE_IMAGE_MEMBERS)
COMPLETIONS: dict[str, Completion] = {}
