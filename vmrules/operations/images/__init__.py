"""Private images: createImage, deleteImage, copyImages, shareImage, unShareImage, modifyImageAttribute.

Images are owned (``Image.owner``): official and third-party images by the platform, private images by an
account. A private image shared with another account is "shared" to that account: it can see and use it,
but only the owner may modify, share, unshare, copy or delete it (PERMISSION_DENIED for a visible image that
is not the caller's own private one; NOT_FOUND for one the caller cannot see).

createImage and copyImages create ``pending`` images with a task that ``settle`` completes (→ ``ready``);
what an image is made from (createImage's instance and snapshotted disks, copyImages' source) carries an
``heldForImage`` task until then;
deleteImage sets ``deleting`` with a task whose completion removes the image. Choices the seed leaves open
are written down in docs/decisions/images.md.

The modules: ``common`` (image request, context, ownership rules, quota, snapshot bookkeeping), ``create``
(createImage), ``lifecycle`` (deleteImage, modifyImageAttribute), ``copying`` (copyImages), ``sharing``
(shareImage, unShareImage).
"""

from __future__ import annotations

from vmrules.operations.common import Completion
from vmrules.operations.images.common import (
    IMAGE_SHARE_MAX,
    IMAGE_SOURCE_TASK,
    ImageCtx,
    ImageRequest,
    finish_image,
    image_context,
    image_exists,
    image_kind,
    image_share_limit,
    own_private,
    own_private_rule,
    release_source,
)
from vmrules.operations.images.copying import COPY_IMAGES, CopyImagesRequest
from vmrules.operations.images.create import CREATE_IMAGE, CreateImageRequest, plan_data_disks
from vmrules.operations.images.lifecycle import (
    DELETE_IMAGE,
    MODIFY_IMAGE_ATTRIBUTE,
    DeleteImageRequest,
    ModifyImageAttributeRequest,
    finish_delete,
)
from vmrules.operations.images.sharing import SHARE_IMAGE, UNSHARE_IMAGE, ShareImageRequest

__all__ = [
    "COMPLETIONS", "COPY_IMAGES", "CREATE_IMAGE", "DELETE_IMAGE", "IMAGE_SHARE_MAX", "MODIFY_IMAGE_ATTRIBUTE",
    "OPERATIONS", "SHARE_IMAGE", "UNSHARE_IMAGE", "CopyImagesRequest", "CreateImageRequest", "DeleteImageRequest",
    "ImageCtx", "ImageRequest", "ModifyImageAttributeRequest", "ShareImageRequest", "image_context", "image_exists",
    "image_kind", "image_share_limit", "own_private", "own_private_rule", "plan_data_disks",
]

OPERATIONS = (CREATE_IMAGE, DELETE_IMAGE, COPY_IMAGES, SHARE_IMAGE, UNSHARE_IMAGE, MODIFY_IMAGE_ATTRIBUTE)
COMPLETIONS: dict[str, Completion] = {
    "createImage": finish_image,
    "copyImage": finish_image,
    "deleteImage": finish_delete,
    IMAGE_SOURCE_TASK: release_source,
}
