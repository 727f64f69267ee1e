"""The operation table: every implemented operation, by its seed name, and the task completions."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from vmrules.operation import Operation
from vmrules.operations import (
    create,
    describe,
    disks,
    image_queries,
    images,
    instance_types,
    instances,
    modify,
    network,
    quotas,
    reconfigure,
)
from vmrules.operations.common import Completion

# The 35 operations of the seed, in the seed's order.
OPERATIONS: tuple[str, ...] = (
    "associateElasticIp", "attachDisk", "attachNetworkInterface", "copyImages", "createImage",
    "createInstances", "deleteImage", "deleteInstance", "describeImage", "describeImageConstraints",
    "describeImageConstraintsBatch", "describeImageMembers", "describeImages", "describeInstance",
    "describeInstancePrivateIpAddress", "describeInstanceStatus", "describeInstanceTypes",
    "describeInstanceVncUrl", "describeInstances", "describeQuotas", "detachDisk", "detachNetworkInterface",
    "disassociateElasticIp", "modifyImageAttribute", "modifyInstanceAttribute", "modifyInstanceDiskAttribute",
    "modifyInstanceNetworkAttribute", "modifyInstancePassword", "rebootInstance", "rebuildInstance",
    "resizeInstance", "shareImage", "startInstance", "stopInstance", "unShareImage",
)

_GROUPS = (instances, create, describe, disks, modify, images, image_queries, instance_types, quotas, network,
           reconfigure)

OPERATION_TABLE: Mapping[str, Operation[Any, Any]] = MappingProxyType(
    {op.name: op for group in _GROUPS for op in group.OPERATIONS}
)

COMPLETIONS: Mapping[str, Completion] = MappingProxyType(
    {kind: fn for group in _GROUPS for kind, fn in group.COMPLETIONS.items()}
)
