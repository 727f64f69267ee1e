"""shareImage and unShareImage: who else may see and use one of the caller's private images."""

from __future__ import annotations

from dataclasses import replace
from operator import attrgetter

from vmrules.effects import effect
from vmrules.operation import Operation
from vmrules.operations.common import image_ready_rule, region_exists
from vmrules.operations.images.common import (
    IMAGE_SHARE_MAX,
    JSON,
    ImageCtx,
    ImageRequest,
    image_context,
    image_exists,
    image_share_limit,
    own_private_rule,
    set_image,
)
from vmrules.rules import Finding, Findings, Phase, Rule, inferred, rule, sdk_doc, seed
from vmrules.world import World


class ShareImageRequest(ImageRequest):
    """``pins`` and ``loginNames`` both name accounts (in vmrules an account's login name is its pin)."""

    pins: list[str] | None = None
    loginNames: list[str] | None = None


def targets(req: ShareImageRequest) -> list[tuple[str, str]]:
    """(field path, pin) for every account named, pins first."""
    return ([(f"pins.{i}", p) for i, p in enumerate(req.pins or ())]
            + [(f"loginNames.{i}", p) for i, p in enumerate(req.loginNames or ())])


def accounts_field(req: ShareImageRequest) -> str:
    """The list a finding about the request's accounts names: ``pins`` when it holds any, else ``loginNames``
    when that was given, else ``pins`` (the one the SDK documents first)."""
    if req.pins:
        return "pins"
    return "loginNames" if req.loginNames is not None else "pins"


def accounts_given_rule(rule_id: str, verb: str) -> Rule[ImageCtx]:
    def check(ctx: ImageCtx) -> Findings:
        if targets(ctx.req):
            return None
        return Finding(f"name at least one account in pins (or loginNames) to {verb}", accounts_field(ctx.req))

    return Rule(rule_id, Phase.PARAMETERS, f"pins or loginNames names at least one account to {verb}.",
                inferred(f"a {verb} request without accounts has nothing to do and is most likely a mistake"),
                "pins", check)


def accounts_exist_rule(rule_id: str) -> Rule[ImageCtx]:
    def check(ctx: ImageCtx) -> Findings:
        return [Finding(f"{path} {pin!r} is not an account", path)
                for path, pin in targets(ctx.req) if pin not in ctx.world.accounts]

    return Rule(rule_id, Phase.EXISTENCE, "Every account named in pins or loginNames exists.",
                inferred("an unknown account is a missing resource (NOT_FOUND), named by its position"),
                "pins", check)


@rule(
    "SHARE_IMAGE.NOT_SELF",
    phase=Phase.PARAMETERS,
    statement="An image cannot be shared with the caller itself.",
    source=sdk_doc("shareImage: 单个镜像最多可以共享给20个京东云帐户、不可以共享给自己"),
    field="pins",
)
def share_not_self(ctx: ImageCtx) -> Findings:
    return [Finding(f"{path} {pin!r} is the caller; an image cannot be shared with yourself", path)
            for path, pin in targets(ctx.req) if pin == ctx.caller]


@rule(
    "SHARE_IMAGE.NOT_WHOLE_MACHINE",
    phase=Phase.COMPATIBILITY,
    statement="A whole-machine image (one that carries data disks) cannot be shared.",
    source=seed("整机镜像目前不支持共享"),
    field="imageId",
)
def share_not_whole_machine(ctx: ImageCtx) -> Findings:
    image = ctx.image
    if image is None or not image.whole_machine:
        return None
    return Finding(f"image {image.image_id} is a whole-machine image ({len(image.data_disks)} data disk(s)); "
                   "whole-machine images cannot be shared")


share_ready: Rule[ImageCtx] = image_ready_rule(
    "SHARE_IMAGE.READY", "imageId", "shared", resolved=attrgetter("image"),
    statement="Only a ready image can be shared.",
    source=seed("调用接口后，需要等待镜像状态变为<b>ready</b>后，才能正常使用镜像"),
)


def _members_past(ctx: ImageCtx, limit: int) -> Findings:
    """The finding when the image's accounts and the request's together are more than ``limit``."""
    image = ctx.image
    if image is None:
        return None
    members = set(image.shared_with) | {pin for _, pin in targets(ctx.req)}
    if len(members) <= limit:
        return None
    new = len(members) - len(image.shared_with)
    return Finding(f"image {image.image_id} is shared with {len(image.shared_with)} account(s); sharing with "
                   f"{new} more would pass the limit of {limit}", accounts_field(ctx.req))


@rule(
    "SHARE_IMAGE.MEMBER_LIMIT",
    phase=Phase.STATE,
    statement="An image is shared with at most 20 accounts in total; a request that would pass 20 shares "
    "nothing.",
    source=seed("单个镜像最多可共享给20个京东云帐户"),
    field="pins",
)
def share_member_limit(ctx: ImageCtx) -> Findings:
    return _members_past(ctx, IMAGE_SHARE_MAX)


@rule(
    "SHARE_IMAGE.SHARE_QUOTA",
    phase=Phase.QUOTA,
    statement="An image is shared with at most as many accounts as its owner's imageShare quota, where that "
    "quota is below the seed's 20; a request that would pass it shares nothing.",
    source=sdk_doc("describeQuotas imageId: 私有镜像Id。查询镜像共享 `imageShare` 的配额时，此参数必传。"),
    field="pins",
)
def share_quota(ctx: ImageCtx) -> Findings:
    image = ctx.image
    if image is None:
        return None
    limit = image_share_limit(ctx.world, image.owner)
    return _members_past(ctx, limit) if limit < IMAGE_SHARE_MAX else None  # at 20 MEMBER_LIMIT speaks


# effect: SHARE_IMAGE.VISIBLE_TO_MEMBERS (World.image resolves shared_with for members)
def _share(ctx: ImageCtx) -> tuple[World, JSON]:
    image = ctx.image
    assert image is not None  # rules guarantee it
    members = list(image.shared_with)
    for _, pin in targets(ctx.req):
        if pin not in members:
            members.append(pin)
    return set_image(ctx.world, replace(image, shared_with=tuple(members))), {}


# effect: UNSHARE_IMAGE.HIDDEN_FROM_MEMBERS
def _unshare(ctx: ImageCtx) -> tuple[World, JSON]:
    image = ctx.image
    assert image is not None  # rules guarantee it
    gone = {pin for _, pin in targets(ctx.req)}
    members = tuple(p for p in image.shared_with if p not in gone)
    return set_image(ctx.world, replace(image, shared_with=members)), {}


VISIBLE_TO_MEMBERS = effect(
    "SHARE_IMAGE.VISIBLE_TO_MEMBERS", "visibility",
    "Each account shared with sees the image (describeImage, describeImages) and may create instances from it.",
    seed("或其他用户共享给您的镜像"),
)


SHARE_IMAGE = Operation[ShareImageRequest, ImageCtx](
    name="shareImage",
    method="POST",
    path="/regions/{regionId}/images/{imageId}:share",
    summary="共享镜像，只允许操作您的个人私有镜像，单个镜像最多可共享给20个京东云帐户。整机镜像目前不支持共享。",
    request=ShareImageRequest,
    context=image_context,
    rules=(
        region_exists,
        accounts_given_rule("SHARE_IMAGE.ACCOUNTS_GIVEN", "share with"),
        share_not_self,
        image_exists,
        accounts_exist_rule("SHARE_IMAGE.ACCOUNTS_EXIST"),
        share_not_whole_machine,
        own_private_rule("SHARE_IMAGE.OWN_PRIVATE", "共享镜像，只允许操作您的个人私有镜像", "shared"),
        share_ready,
        share_member_limit,
        share_quota,
    ),
    apply=_share,
    effects=(VISIBLE_TO_MEMBERS,),
)


HIDDEN_FROM_MEMBERS = effect(
    "UNSHARE_IMAGE.HIDDEN_FROM_MEMBERS", "visibility",
    "The accounts unshared no longer see the image; their instances made from it keep running.",
    inferred("the inverse of shareImage; instances keep their image id"),
)


UNSHARE_IMAGE = Operation[ShareImageRequest, ImageCtx](
    name="unShareImage",
    method="POST",
    path="/regions/{regionId}/images/{imageId}:unshare",
    summary="取消共享镜像，只允许操作您的个人私有镜像。",
    request=ShareImageRequest,
    context=image_context,
    rules=(
        region_exists,
        accounts_given_rule("UNSHARE_IMAGE.ACCOUNTS_GIVEN", "stop sharing with"),
        image_exists,
        accounts_exist_rule("UNSHARE_IMAGE.ACCOUNTS_EXIST"),
        own_private_rule("UNSHARE_IMAGE.OWN_PRIVATE", "取消共享镜像，只允许操作您的个人私有镜像", "unshared"),
    ),
    apply=_unshare,
    effects=(HIDDEN_FROM_MEMBERS,),
)
