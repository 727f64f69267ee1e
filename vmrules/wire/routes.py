"""Routes of the VM API v1: which operation a (method, path) names, and the path parameters in it.

Paths are matched after percent-decoding (the official JavaScript SDK sends ``i-x%3AstopInstance``). Besides
the operations of the reference, the routes of the operations the official SDK has but the seed does not define
are known, so that a call to one is told exactly that (501) rather than NOT_FOUND.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import unquote

from vmrules.operation import Operation
from vmrules.operations import OPERATION_TABLE

API_PREFIX = "/v1"


@dataclass(frozen=True)
class Route:
    operation: Operation[Any, Any]
    method: str
    pattern: re.Pattern[str]


def _compile(path: str) -> re.Pattern[str]:
    regex = re.escape(API_PREFIX + path)
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/:?]+)", regex)
    return re.compile(f"^{regex}$")


ROUTES: tuple[Route, ...] = tuple(
    Route(op, op.method, _compile(op.path)) for op in OPERATION_TABLE.values()
)

# Operations of the official SDK's VM client (jdcloud_sdk/services/vm/apis, 1.6.42 and 1.6.354) that the seed does
# not define: (operation, method, path). tests/test_wire.py checks that it covers the installed SDK's.
SDK_ONLY_OPERATIONS: tuple[tuple[str, str, str], ...] = (
    ("attachKeypair", "POST", "/regions/{regionId}/keypairs/{keyName}:attach"),
    ("createImageFromSnapshots", "POST", "/regions/{regionId}/images:createImageFromSnapshots"),
    ("createInstanceTemplate", "POST", "/regions/{regionId}/instanceTemplates"),
    ("createKeypair", "POST", "/regions/{regionId}/keypairs"),
    ("deleteInstanceTemplate", "DELETE", "/regions/{regionId}/instanceTemplates/{instanceTemplateId}"),
    ("deleteKeypair", "DELETE", "/regions/{regionId}/keypairs/{keyName}"),
    ("describeBriefInstances", "GET", "/regions/{regionId}/instances:describeBriefInstances"),
    ("describeInstanceTemplate", "GET", "/regions/{regionId}/instanceTemplates/{instanceTemplateId}"),
    ("describeInstanceTemplates", "GET", "/regions/{regionId}/instanceTemplates"),
    ("describeInstanceTemplatesCustomdata", "GET", "/regions/{regionId}/instanceTemplatesCustomData"),
    ("describeInstancesCustomData", "GET", "/regions/{regionId}/instancesCustomData"),
    ("describeKeypairs", "GET", "/regions/{regionId}/keypairs"),
    ("detachKeypair", "POST", "/regions/{regionId}/keypairs/{keyName}:detach"),
    ("exportImage", "POST", "/regions/{regionId}/images/{imageId}:exportImage"),
    ("imageTasks", "GET", "/regions/{regionId}/imageTasks"),
    ("importImage", "POST", "/regions/{regionId}/images:import"),
    ("importKeypair", "POST", "/regions/{regionId}/keypairs:import"),
    ("modifyInstancePlacement", "POST", "/regions/{regionId}/instances/{instanceId}:modifyInstancePlacement"),
    ("modifyInstanceReleaseTime", "POST", "/regions/{regionId}/instances:modifyInstanceReleaseTime"),
    ("modifyInstanceVpcAttribute", "POST", "/regions/{regionId}/instances/{instanceId}:modifyInstanceVpcAttribute"),
    ("redeployInstance", "POST", "/regions/{regionId}/instances/{instanceId}:redeployInstance"),
    ("releaseImage", "POST", "/regions/{regionId}/images/{imageId}:release"),
    ("resumeInstance", "POST", "/regions/{regionId}/instances/{instanceId}:resumeInstance"),
    ("suspendInstance", "POST", "/regions/{regionId}/instances/{instanceId}:suspendInstance"),
    ("unReleaseImage", "POST", "/regions/{regionId}/images/{imageId}:unrelease"),
    ("updateInstanceTemplate", "PATCH", "/regions/{regionId}/instanceTemplates/{instanceTemplateId}"),
    ("verifyInstanceTemplate", "GET", "/regions/{regionId}/instanceTemplates/{instanceTemplateId}:verify"),
)


@dataclass(frozen=True)
class Undefined:
    """A route of the official SDK that the VM API v1 reference does not define."""

    operation: str
    method: str
    pattern: re.Pattern[str]


UNDEFINED_ROUTES: tuple[Undefined, ...] = tuple(
    Undefined(name, method, _compile(path)) for name, method, path in SDK_ONLY_OPERATIONS
)

Miss = Literal["not-found", "method-not-allowed"]


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | Undefined | Miss:
    """The route and path parameters for (method, raw percent-encoded path), the SDK operation the reference does
    not define, or ``"not-found"`` / ``"method-not-allowed"``. Path parameters come out decoded."""
    decoded = unquote(path)
    allowed = False
    for route in ROUTES:
        m = route.pattern.match(decoded)
        if m is None:
            continue
        if route.method == method:
            return route, m.groupdict()
        allowed = True
    for undefined in UNDEFINED_ROUTES:
        if undefined.pattern.match(decoded):
            if undefined.method == method:
                return undefined
            allowed = True
    return "method-not-allowed" if allowed else "not-found"


def allowed_methods(path: str) -> tuple[str, ...]:
    """The methods some route answers on (raw percent-encoded) ``path``, sorted: the Allow header of a 405."""
    decoded = unquote(path)
    methods = {route.method for route in ROUTES if route.pattern.match(decoded)}
    methods |= {undefined.method for undefined in UNDEFINED_ROUTES if undefined.pattern.match(decoded)}
    return tuple(sorted(methods))
