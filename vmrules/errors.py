"""The closed set of error statuses and the error value every refusal carries."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """Error statuses the engine can return (fact sheet §1.4). Nothing outside this set is ever produced."""

    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    FAILED_PRECONDITION = "FAILED_PRECONDITION"
    NOT_FOUND = "NOT_FOUND"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"

    @property
    def code(self) -> int:
        return _HTTP_CODES[self]


_HTTP_CODES: dict[Status, int] = {
    Status.INVALID_ARGUMENT: 400,
    Status.FAILED_PRECONDITION: 400,
    Status.NOT_FOUND: 404,
    Status.PERMISSION_DENIED: 403,
    Status.QUOTA_EXCEEDED: 429,
}


@dataclass(frozen=True, slots=True)
class VmError:
    """One refusal: the HTTP code, the status string, an English message, the rule id and the field path.

    ``field`` is a dotted path into the request parameters (``instanceSpec.dataDisks.2.cloudDiskSpec.diskSizeGB``)
    or None when the refusal is not about one parameter.
    """

    code: int
    status: str
    message: str
    rule: str
    field: str | None = None

    def to_wire(self) -> dict[str, Any]:
        """The ``error`` member of the API response envelope."""
        return {"code": self.code, "status": self.status, "message": self.message}
