"""createInstances rules: the instance's name, hostname, description and password."""

from __future__ import annotations

from operator import attrgetter

from vmrules.operations.create.plan import CreateCtx, count_requested
from vmrules.operations.create.request import SPEC
from vmrules.operations.params import (
    GENERAL_PARAMETERS,
    ORDERED_MAX,
    description_rule,
    hostname_rule,
    name_rule,
    ordered_token,
    password_rule,
    windows_hostname_rule,
)
from vmrules.rules import Finding, Findings, Phase, guide, rule, sdk_doc, seed

# Getters of the request's values: attrgetters, which run no Python frame (these rules run on every check).
_name = attrgetter("instanceSpec.name")
_hostname = attrgetter("instanceSpec.hostname")


def _image_os(ctx: CreateCtx) -> str | None:
    return ctx.image.os_type if ctx.image is not None else None


name = name_rule("CREATE_INSTANCES.NAME", _name, f"{SPEC}.name",
                 guide(f"{GENERAL_PARAMETERS}: 名称, with ordered [start] tokens"), ordered=True)
hostname = hostname_rule("CREATE_INSTANCES.HOSTNAME", _hostname, f"{SPEC}.hostname",
                         sdk_doc("InstanceSpec.hostname: Linux 2-64 characters, RFC 952/1123"), ordered=True)
windows_hostname = windows_hostname_rule(
    "CREATE_INSTANCES.WINDOWS_HOSTNAME", _hostname, f"{SPEC}.hostname",
    sdk_doc("InstanceSpec.hostname: Windows 2-15 characters, no '.', not all digits"), _image_os, ordered=True)
description = description_rule("CREATE_INSTANCES.DESCRIPTION", attrgetter("instanceSpec.description"),
                               f"{SPEC}.description", sdk_doc("InstanceSpec.description: 实例描述。256字符以内。"))
password = password_rule("CREATE_INSTANCES.PASSWORD", attrgetter("instanceSpec.password"),
                         f"{SPEC}.password", seed("参考公共参数规范"))


@rule(
    "CREATE_INSTANCES.ORDERED_NAME_RANGE",
    phase=Phase.PARAMETERS,
    statement="The counter of an ordered name or hostname ([start]) stays within 0..9999 for maxCount instances.",
    source=sdk_doc("InstanceSpec.name: start_number 范围 [0,9999]"),
    field=f"{SPEC}.name",
)
def ordered_name_range(ctx: CreateCtx) -> Findings:
    found = []
    for field, value in (("name", ctx.spec.name), ("hostname", ctx.spec.hostname)):
        token = ordered_token(value) if value is not None else None
        if token is None:
            continue
        last = token.start + count_requested(ctx) - 1
        if last > ORDERED_MAX:
            found.append(Finding(f"{SPEC}.{field} counter would reach {last} for maxCount "
                                 f"{count_requested(ctx)}; it must stay at most {ORDERED_MAX}", f"{SPEC}.{field}"))
    return found
