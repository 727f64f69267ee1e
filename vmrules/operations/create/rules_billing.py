"""createInstances rules: the instance's and the elastic IP's billing."""

from __future__ import annotations

from vmrules.model import ChargeMode
from vmrules.operations.create.plan import CreateCtx
from vmrules.operations.create.request import SPEC
from vmrules.rules import Finding, Findings, Phase, inferred, rule, sdk_doc, seed

_CHARGE_MODES: tuple[ChargeMode, ...] = ("prepaid_by_duration", "postpaid_by_duration", "postpaid_by_usage")


@rule(
    "CREATE_INSTANCES.CHARGE_MODE",
    phase=Phase.PARAMETERS,
    statement="The instance is billed prepaid_by_duration or postpaid_by_duration (default), never by usage.",
    source=inferred("an instance is billed by configuration (postpaid_by_duration, the default) or prepaid "
                    "(prepaid_by_duration); usage billing (postpaid_by_usage) is for traffic, not instances"),
    field=f"{SPEC}.charge.chargeMode",
)
def charge_mode(ctx: CreateCtx) -> Findings:
    charge = ctx.spec.charge
    mode = charge.chargeMode if charge is not None else None
    if mode is None or mode in ("prepaid_by_duration", "postpaid_by_duration"):
        return None
    if mode == "postpaid_by_usage":
        return Finding(f"{SPEC}.charge.chargeMode is postpaid_by_usage; an instance cannot be billed by usage")
    return Finding(f"{SPEC}.charge.chargeMode is {mode[:32]!r}; allowed prepaid_by_duration or postpaid_by_duration")


@rule(
    "CREATE_INSTANCES.CHARGE_DURATION",
    phase=Phase.PARAMETERS,
    statement="Prepaid billing: chargeUnit is month (default) or year; chargeDuration is 1..9 months or 1..3 years.",
    source=sdk_doc("ChargeSpec.chargeDuration: 当chargeUnit为month时取值为：1~9，当chargeUnit为year时取值为：1、2、3; "
                   "chargeUnit: 取值为：month、year，默认为month"),
    field=f"{SPEC}.charge",
)
def charge_duration(ctx: CreateCtx) -> Findings:
    charge = ctx.spec.charge
    if charge is None or charge.chargeMode != "prepaid_by_duration":
        return None
    unit = "month" if charge.chargeUnit is None else charge.chargeUnit  # "" is given, and no unit
    if unit not in ("month", "year"):
        return Finding(f"{SPEC}.charge.chargeUnit is {unit[:32]!r}; allowed month or year", f"{SPEC}.charge.chargeUnit")
    duration = 1 if charge.chargeDuration is None else charge.chargeDuration
    top = 9 if unit == "month" else 3
    if 1 <= duration <= top:
        return None
    return Finding(f"{SPEC}.charge.chargeDuration is {duration}; a {unit}ly prepaid instance takes 1 to {top}",
                   f"{SPEC}.charge.chargeDuration")


@rule(
    "CREATE_INSTANCES.EIP_CHARGE_MODE",
    phase=Phase.PARAMETERS,
    statement="The elastic IP's chargeMode is one of the billing modes; only postpaid_by_usage is set apart from "
    "the instance, any other follows the instance's billing.",
    source=seed("弹性IP的计费模式，如果选择按用量类型可以单独设置，其它计费模式都以主机为准"),
    field=f"{SPEC}.elasticIp.chargeSpec.chargeMode",
)
def eip_charge_mode(ctx: CreateCtx) -> Findings:
    spec = ctx.plan.eip_charge
    mode = spec.chargeMode if spec is not None else None
    if mode is None or mode in _CHARGE_MODES:
        return None
    return Finding(f"{SPEC}.elasticIp.chargeSpec.chargeMode is {mode[:32]!r}; allowed {', '.join(_CHARGE_MODES)}")
