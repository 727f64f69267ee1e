"""deleteImage and modifyImageAttribute: the rest of a private image's life after createImage (deleting it,
with or without its snapshots, and renaming or redescribing it)."""

from __future__ import annotations

from dataclasses import replace
from operator import attrgetter

from vmrules.effects import StatusChange, default, effect, status
from vmrules.model import Task
from vmrules.operation import Operation
from vmrules.operations.common import no_task_rule, region_exists
from vmrules.operations.images.common import (
    JSON,
    ImageCtx,
    ImageRequest,
    image_context,
    image_exists,
    image_snapshot_ids,
    own_private_rule,
    set_image,
)
from vmrules.operations.params import description_rule, name_rule
from vmrules.rules import Finding, Findings, Phase, Rule, rule, sdk_doc, seed
from vmrules.world import World


class DeleteImageRequest(ImageRequest):
    deleteSnapshot: bool | None = None


@rule(
    "DELETE_IMAGE.NOT_SHARED",
    phase=Phase.STATE,
    statement="An image shared with other accounts cannot be deleted until every share is cancelled.",
    source=seed("若镜像已共享给其他用户，需先取消共享才可删除"),
    field="imageId",
)
def delete_image_not_shared(ctx: ImageCtx) -> Findings:
    image = ctx.image
    if image is None or not image.shared_with:
        return None
    return Finding(f"image {image.image_id} is shared with {len(image.shared_with)} account(s); unshare it "
                   "(unShareImage) before deleting it")


delete_image_no_task: Rule[ImageCtx] = no_task_rule(
    "DELETE_IMAGE.NO_TASK", "image", "imageId", resolved=attrgetter("image"), resource_id=attrgetter("image_id"),
    statement="An image with a task in progress (being created, copied, the source of a copy in progress, or "
    "being deleted) cannot be deleted.",
    source=sdk_doc("deleteImage: 私有镜像没有正在处理中的任务时才可以删除"),
)


@rule(
    "DELETE_IMAGE.LOCAL_IMAGE_IN_USE",
    phase=Phase.STATE,
    statement="A localDisk image cannot be deleted while instances created from it exist.",
    source=sdk_doc("deleteImage: 本地系统盘镜像在有基于其创建的云主机时，将无法删除"),
    field="imageId",
)
def delete_image_local_in_use(ctx: ImageCtx) -> Findings:
    image = ctx.image
    if image is None or image.root_device_type != "localDisk":
        return None
    users = sorted(ctx.world.image_users(image.image_id))
    if not users:
        return None
    shown = ", ".join(users[:5]) + (", ..." if len(users) > 5 else "")
    return Finding(f"image {image.image_id} is a localDisk image and {len(users)} instance(s) use it ({shown})")


# effect: DELETE_IMAGE.DELETES, DELETE_IMAGE.KEEPS_SNAPSHOTS (deleteSnapshot recorded here)
def _delete_image(ctx: ImageCtx) -> tuple[World, JSON]:
    image = ctx.image
    assert image is not None  # rules guarantee it
    world = set_image(ctx.world, replace(image, status="deleting"))
    ref = "deleteSnapshot" if ctx.req.deleteSnapshot else None
    return world.with_task(image.image_id, "deleteImage", ref), {}


# effect: DELETE_IMAGE.DELETES, DELETE_IMAGE.KEEPS_SNAPSHOTS (settle)
def finish_delete(world: World, task: Task) -> World:
    """The image is gone; its snapshots are deleted (deleteSnapshot) or unlinked from it."""
    image = world.images.get(task.resource_id)
    if image is None:
        return world
    for sid in list(image_snapshot_ids(world, image)):
        if task.ref == "deleteSnapshot":
            world = world.evolve(snapshots=world.snapshots.delete(sid))
        else:
            world = world.evolve(snapshots=world.snapshots.set(sid, replace(world.snapshots[sid], image_id=None)))
    world = world.without_image(image.image_id)
    if image.source == "private":
        world = world.add_usage(image.owner, image.region, "image", -1)
    return world


DELETES_IMAGE = status(
    "DELETE_IMAGE.DELETES",
    "The image is deleting until the task completes, then gone.",
    seed("删除一个私有镜像"),
    StatusChange("image", ("ready", "error"), "deleting", None, "deleteImage"),
)
KEEPS_SNAPSHOTS = default(
    "DELETE_IMAGE.KEEPS_SNAPSHOTS", "deleteSnapshot", "false",
    "The image's snapshots are kept (unlinked from it) unless deleteSnapshot is true: then they are deleted too.",
    sdk_doc("deleteImage deleteSnapshot: 删除镜像是否删除关联的快照，默认为false"),
)


DELETE_IMAGE = Operation[DeleteImageRequest, ImageCtx](
    name="deleteImage",
    method="DELETE",
    path="/regions/{regionId}/images/{imageId}",
    summary="删除一个私有镜像，只允许操作您的个人私有镜像。若镜像已共享给其他用户，需先取消共享才可删除。",
    request=DeleteImageRequest,
    context=image_context,
    rules=(
        region_exists,
        image_exists,
        own_private_rule("DELETE_IMAGE.OWN_PRIVATE", "删除一个私有镜像，只允许操作您的个人私有镜像", "deleted"),
        delete_image_not_shared,
        delete_image_no_task,
        delete_image_local_in_use,
    ),
    apply=_delete_image,
    effects=(DELETES_IMAGE, KEEPS_SNAPSHOTS),
)


class ModifyImageAttributeRequest(ImageRequest):
    name: str | None = None
    description: str | None = None


# effect: MODIFY_IMAGE_ATTRIBUTE.SETS_NAME_DESCRIPTION
def _modify(ctx: ImageCtx) -> tuple[World, JSON]:
    image = ctx.image
    assert image is not None  # rules guarantee it
    req: ModifyImageAttributeRequest = ctx.req
    changed = replace(image, name=image.name if req.name is None else req.name,
                      desc=image.desc if req.description is None else req.description)
    return set_image(ctx.world, changed), {}


SETS_IMAGE_NAME_DESCRIPTION = effect(
    "MODIFY_IMAGE_ATTRIBUTE.SETS_NAME_DESCRIPTION", "change",
    "The given name and description replace the image's; an absent one is left as it is.",
    seed("修改镜像信息，包括名称、描述"),
)


MODIFY_IMAGE_ATTRIBUTE = Operation[ModifyImageAttributeRequest, ImageCtx](
    name="modifyImageAttribute",
    method="POST",
    path="/regions/{regionId}/images/{imageId}:modifyImageAttribute",
    summary="修改镜像信息，包括名称、描述；只允许操作您的个人私有镜像。",
    request=ModifyImageAttributeRequest,
    context=image_context,
    rules=(
        region_exists,
        name_rule("MODIFY_IMAGE_ATTRIBUTE.NAME", lambda r: r.name, "name",
                  sdk_doc("modifyImageAttribute name: 镜像名称。参考 公共参数规范")),
        description_rule("MODIFY_IMAGE_ATTRIBUTE.DESCRIPTION", lambda r: r.description, "description",
                         sdk_doc("modifyImageAttribute description: 镜像描述。参考 公共参数规范")),
        image_exists,
        own_private_rule("MODIFY_IMAGE_ATTRIBUTE.OWN_PRIVATE",
                         "修改镜像信息，包括名称、描述；只允许操作您的个人私有镜像", "modified"),
    ),
    apply=_modify,
    effects=(SETS_IMAGE_NAME_DESCRIPTION,),
)
