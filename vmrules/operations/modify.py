"""Changing an instance's attributes: modifyInstanceAttribute (name, description, hostname) and
modifyInstancePassword (the new password takes effect at the next reboot or start).

Both are synchronous: they start no task. Passwords are never stored, only their sha256 digest; the new one
waits in ``Instance.pending_password_digest`` until the rebootInstance or startInstance completion applies it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from vmrules.effects import effect
from vmrules.ids import password_digest
from vmrules.operation import Operation
from vmrules.operations.common import (
    Completion,
    InstanceCtx,
    InstanceRequest,
    instance_context,
    instance_exists,
    instance_idle,
    region_exists,
)
from vmrules.operations.params import (
    GENERAL_PARAMETERS,
    PASSWORD_SOURCE,
    description_rule,
    hostname_rule,
    name_rule,
    password_rule,
    windows_hostname_rule,
)
from vmrules.rules import guide, sdk_doc, seed
from vmrules.world import World

JSON = dict[str, Any]

NAME_SOURCE = guide(f"{GENERAL_PARAMETERS}: 名称 — 中文、数字、大小写字母、英文下划线和中划线, "
                    "不超过32字符")
DESCRIPTION_SOURCE = guide(f"{GENERAL_PARAMETERS}: 描述 — 不超过256字符")
HOSTNAME_SOURCE = sdk_doc("modifyInstanceAttribute hostname: Linux 2-64 个字符, 点号分段, 每段字母、数字或连字符; "
                          "不能连续使用点号或连字符, 不能以点号或连字符开头或结尾")
WINDOWS_HOSTNAME_SOURCE = sdk_doc("modifyInstanceAttribute hostname: Windows 2-15 个字符, 不支持点号, 不能全部使用数字")


def _instance_os(ctx: InstanceCtx[Any]) -> str | None:
    """The OS type the instance runs: its own record, which outlives a deleted image (None when the instance is not
    found)."""
    inst = ctx.instance
    return inst.os_type if inst is not None else None


# ---- modifyInstanceAttribute ------------------------------------------------------------------------


class ModifyInstanceAttributeRequest(InstanceRequest):
    name: str | None = None
    description: str | None = None
    # [SDK] only: the instance's host name.
    hostname: str | None = None


# effect: MODIFY_INSTANCE_ATTRIBUTE.SETS_NAME_DESCRIPTION
def _modify_attribute(ctx: InstanceCtx[ModifyInstanceAttributeRequest]) -> tuple[World, JSON]:
    inst = ctx.instance
    assert inst is not None  # rules guarantee it
    req = ctx.req
    changed = replace(
        inst,
        name=inst.name if req.name is None else req.name,
        description=inst.description if req.description is None else req.description,
        hostname=inst.hostname if req.hostname is None else req.hostname,
    )
    if changed == inst:
        return ctx.world, {}
    return ctx.world.with_instance(changed), {}


SETS_NAME_DESCRIPTION = effect(
    "MODIFY_INSTANCE_ATTRIBUTE.SETS_NAME_DESCRIPTION", "change",
    "The given name and description replace the instance's; an absent one is left as it is.",
    seed("修改云主机部分信息，包括名称、描述。"),
)


MODIFY_INSTANCE_ATTRIBUTE = Operation[ModifyInstanceAttributeRequest, InstanceCtx[ModifyInstanceAttributeRequest]](
    name="modifyInstanceAttribute",
    method="POST",
    path="/regions/{regionId}/instances/{instanceId}:modifyInstanceAttribute",
    summary="修改云主机部分信息，包括名称、描述。",
    request=ModifyInstanceAttributeRequest,
    context=instance_context,
    rules=(
        region_exists,
        name_rule("MODIFY_INSTANCE_ATTRIBUTE.NAME", lambda r: r.name, "name", NAME_SOURCE),
        description_rule("MODIFY_INSTANCE_ATTRIBUTE.DESCRIPTION", lambda r: r.description, "description",
                         DESCRIPTION_SOURCE),
        hostname_rule("MODIFY_INSTANCE_ATTRIBUTE.HOSTNAME", lambda r: r.hostname, "hostname", HOSTNAME_SOURCE),
        instance_exists,
        windows_hostname_rule("MODIFY_INSTANCE_ATTRIBUTE.WINDOWS_HOSTNAME", lambda r: r.hostname, "hostname",
                              WINDOWS_HOSTNAME_SOURCE, _instance_os),
    ),
    apply=_modify_attribute,
    effects=(SETS_NAME_DESCRIPTION,),
)


# ---- modifyInstancePassword -------------------------------------------------------------------------


class ModifyInstancePasswordRequest(InstanceRequest):
    password: str


# effect: MODIFY_INSTANCE_PASSWORD.APPLIES_AFTER_RESTART (the password is pending)
def _modify_password(ctx: InstanceCtx[ModifyInstancePasswordRequest]) -> tuple[World, JSON]:
    inst = ctx.instance
    assert inst is not None  # rules guarantee it
    pending = replace(inst, pending_password_digest=password_digest(ctx.req.password))
    return ctx.world.with_instance(pending), {}


PASSWORD_AFTER_RESTART = effect(
    "MODIFY_INSTANCE_PASSWORD.APPLIES_AFTER_RESTART", "change",
    "The new password is pending: it replaces the instance's password when a start or reboot completes.",
    seed("修改密码后，需要重启云主机后生效。"),
)


MODIFY_INSTANCE_PASSWORD = Operation[ModifyInstancePasswordRequest, InstanceCtx[ModifyInstancePasswordRequest]](
    name="modifyInstancePassword",
    method="POST",
    path="/regions/{regionId}/instances/{instanceId}:modifyInstancePassword",
    summary="修改云主机密码，主机没有正在进行中的任务时才可操作。修改密码后，需要重启云主机后生效。",
    request=ModifyInstancePasswordRequest,
    context=instance_context,
    rules=(
        region_exists,
        password_rule("MODIFY_INSTANCE_PASSWORD.PASSWORD", lambda r: r.password, "password", PASSWORD_SOURCE),
        instance_exists,
        instance_idle("MODIFY_INSTANCE_PASSWORD.NO_TASK", "主机没有正在进行中的任务时才可操作"),
    ),
    apply=_modify_password,
    effects=(PASSWORD_AFTER_RESTART,),
)


OPERATIONS = (MODIFY_INSTANCE_ATTRIBUTE, MODIFY_INSTANCE_PASSWORD)
COMPLETIONS: dict[str, Completion] = {}
