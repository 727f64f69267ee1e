"""What every operation that puts a data disk on an instance shares (attachDisk, createInstances, createImage):
the data-disk device names, and whether a disk's autoDelete can take effect."""

from __future__ import annotations

import re

from vmrules.consistency import auto_delete_refusal as refusal_for_mode
from vmrules.rules import sdk_doc

# Data-disk device names: vdb..vdz, vdaa..vdbm (vda is the system disk). The seed is silent; the SDK gives
# one range for every disk attachment (InstanceDiskAttachmentSpec, InstanceDiskAttachment, attachDisk).
_DEVICE_NAME = re.compile(r"vd(?:[b-z]|a[a-z]|b[a-m])")
DEVICE_NAMES: tuple[str, ...] = (
    *(f"vd{c}" for c in "bcdefghijklmnopqrstuvwxyz"),
    *(f"vda{c}" for c in "abcdefghijklmnopqrstuvwxyz"),
    *(f"vdb{c}" for c in "abcdefghijklm"),
)
DEVICE_NAME_RANGE = "vdb to vdz, then vdaa to vdbm"
DEVICE_NAME_SOURCE = sdk_doc("InstanceDiskAttachmentSpec.deviceName: 磁盘逻辑挂载点。**系统盘**：此参数无须指定且"
                             "指定无效，默认为vda。**数据盘**：取值范围：`[vdb~vdbm]`。")
# autoDelete takes effect only on a disk billed by configuration that is not multi-attach (shared); the condition
# is vmrules.consistency.auto_delete_refusal, below the operations so that the world's invariants use it too.
AUTO_DELETE_SOURCE = sdk_doc("InstanceDiskAttachmentSpec.autoDelete: 是否随实例一起删除，即删除实例时是否自动删除"
                             "此磁盘。此参数仅对按配置计费的非多点挂载云硬盘生效。")


def valid_device_name(name: str) -> bool:
    """A data-disk device name (``vdb``..``vdbm``)."""
    return _DEVICE_NAME.fullmatch(name) is not None


def auto_delete_refusal(*, prepaid: bool, multi_attachable: bool) -> str | None:
    """Why ``autoDelete: true`` cannot take effect on a disk createInstances makes (None when it can). Such a disk
    is billed like its instance, prepaid_by_duration or postpaid_by_duration; the condition is the one definition,
    ``consistency.auto_delete_refusal``, which attachDisk, modifyInstanceDiskAttribute and deleteInstance use."""
    why = refusal_for_mode("prepaid_by_duration" if prepaid else "postpaid_by_duration", multi_attachable)
    return why.reason if why is not None else None
