"""Limits an image puts on the instance type it runs on (Windows Server at most 64 CPUs, the SQL Server 2014
image more than 1 GB of memory): one definition each, built into a rule for every operation that pairs an
image with a type (createInstances, resizeInstance, rebuildInstance)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from vmrules.defaults import SQL_SERVER_IMAGE_NAME
from vmrules.model import Image, InstanceType
from vmrules.operation import Ctx
from vmrules.rules import Finding, Findings, Phase, Rule, seed

WINDOWS_CPU_MAX = 64
SQL_SERVER_MEMORY_MB_MIN = 1024  # must be more than this
WINDOWS_CPU_QUOTE = "Windows Server所有镜像CPU不可选超过64核CPU。"
SQL_SERVER_MEMORY_QUOTE = "Windows Server 2012 R2标准版 64位 中文版 SQL Server 2014 标准版 SP2内存需大于1GB"

X = TypeVar("X", bound=Ctx[Any])
# What an operation pairs: the image and the instance type it will run on (None when not resolved).
Pairing = Callable[[X], tuple[Image | None, InstanceType | None]]


def windows_cpu_violation(image: Image, itype: InstanceType) -> str | None:
    if image.os_type != "windows" or itype.cpu <= WINDOWS_CPU_MAX:
        return None
    return (f"instance type {itype.instance_type} has {itype.cpu} CPUs; Windows Server image {image.image_id} "
            f"allows at most {WINDOWS_CPU_MAX}")


def sql_server_memory_violation(image: Image, itype: InstanceType) -> str | None:
    if image.name != SQL_SERVER_IMAGE_NAME or itype.memory_mb > SQL_SERVER_MEMORY_MB_MIN:
        return None
    return (f"instance type {itype.instance_type} has {itype.memory_mb} MB of memory; image {image.image_id} "
            "(SQL Server) needs more than 1 GB")


def _limit_rule(rule_id: str, field: str, statement: str, quote: str, pairing: Pairing[X],
                violation: Callable[[Image, InstanceType], str | None]) -> Rule[X]:
    def check(ctx: X) -> Findings:
        image, itype = pairing(ctx)
        if image is None or itype is None:
            return None
        message = violation(image, itype)
        return Finding(message) if message is not None else None

    return Rule(rule_id, Phase.COMPATIBILITY, statement, seed(quote), field, check)


def windows_cpu_rule(rule_id: str, field: str, statement: str, pairing: Pairing[X]) -> Rule[X]:
    """INVALID_ARGUMENT when a Windows Server image would run on a type with more than 64 CPUs."""
    return _limit_rule(rule_id, field, statement, WINDOWS_CPU_QUOTE, pairing, windows_cpu_violation)


def sql_server_memory_rule(rule_id: str, field: str, statement: str, pairing: Pairing[X]) -> Rule[X]:
    """INVALID_ARGUMENT when the SQL Server 2014 image would run on a type with 1 GB of memory or less."""
    return _limit_rule(rule_id, field, statement, SQL_SERVER_MEMORY_QUOTE, pairing, sql_server_memory_violation)
