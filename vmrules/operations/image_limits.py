"""Limits a system puts on the instance type it runs on (Windows Server at most 64 CPUs, the SQL Server 2014
image more than 1 GB of memory): one definition each, built into a rule for every operation that pairs a
system with a type (createInstances, resizeInstance, rebuildInstance).

The Windows limit follows the OS: the image's osType for the image an operation puts on an instance
(createInstances, rebuildInstance), the instance's own ``os_type`` for the system it runs (resizeInstance), which
it keeps when its private image is deleted. The SQL Server limit follows the official image itself (by name):
an official image cannot be deleted (DELETE_IMAGE.OWN_PRIVATE), so the pairing still finds it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from vmrules.defaults import SQL_SERVER_IMAGE_NAME
from vmrules.model import Image, InstanceType, OsType
from vmrules.operation import Ctx
from vmrules.rules import Finding, Findings, Phase, Rule, seed

WINDOWS_CPU_MAX = 64
SQL_SERVER_MEMORY_MB_MIN = 1024  # must be more than this
WINDOWS_CPU_QUOTE = "Windows Server所有镜像CPU不可选超过64核CPU。"
SQL_SERVER_MEMORY_QUOTE = "Windows Server 2012 R2标准版 64位 中文版 SQL Server 2014 标准版 SP2内存需大于1GB"

X = TypeVar("X", bound=Ctx[Any])
# What an operation pairs: the image and the instance type it will run on (None when not resolved).
Pairing = Callable[[X], tuple[Image | None, InstanceType | None]]
# What an operation pairs for an OS limit: the OS type, what it is the OS of (for the message: "Windows Server
# image img-x", "Windows instance i-x") and the instance type (None when not resolved).
OsPairing = Callable[[X], tuple[OsType | None, str, InstanceType | None]]


def image_os(image: Image | None, itype: InstanceType | None) -> tuple[OsType | None, str, InstanceType | None]:
    """The OS pairing of an image that an operation puts on an instance type."""
    if image is None:
        return None, "", itype
    return image.os_type, f"Windows Server image {image.image_id}", itype


def windows_cpu_violation(os_type: OsType, what: str, itype: InstanceType) -> str | None:
    if os_type != "windows" or itype.cpu <= WINDOWS_CPU_MAX:
        return None
    return f"instance type {itype.instance_type} has {itype.cpu} CPUs; {what} allows at most {WINDOWS_CPU_MAX}"


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


def windows_cpu_rule(rule_id: str, field: str, statement: str, pairing: OsPairing[X]) -> Rule[X]:
    """INVALID_ARGUMENT when a Windows system would run on a type with more than 64 CPUs."""
    def check(ctx: X) -> Findings:
        os_type, what, itype = pairing(ctx)
        if os_type is None or itype is None:
            return None
        message = windows_cpu_violation(os_type, what, itype)
        return Finding(message) if message is not None else None

    return Rule(rule_id, Phase.COMPATIBILITY, statement, seed(WINDOWS_CPU_QUOTE), field, check)


def sql_server_memory_rule(rule_id: str, field: str, statement: str, pairing: Pairing[X]) -> Rule[X]:
    """INVALID_ARGUMENT when the SQL Server 2014 image would run on a type with 1 GB of memory or less."""
    return _limit_rule(rule_id, field, statement, SQL_SERVER_MEMORY_QUOTE, pairing, sql_server_memory_violation)
