"""The official SDK's signer as the tests use it: a logger that keeps quiet, and the headers the SDK writes for
a request (to send them by hand, tamper with them, or hand them to the emulator in process)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from jdcloud_sdk.core.credential import Credential
from jdcloud_sdk.core.logger import ERROR, Logger
from jdcloud_sdk.core.signer import Signer

REGION = "cn-north-1"


class Quiet(Logger):  # type: ignore[misc]
    """The SDK logs every request at INFO and tracebacks at ERROR; the tests read its results instead."""

    def __init__(self) -> None:
        super().__init__(ERROR)

    def log(self, level: int, message: Any) -> None:
        return None


def sdk_headers(method: str, url: str, body: bytes = b"", *, key: tuple[str, str] = ("AK", "secret"),
                at: datetime | None = None, headers: Mapping[str, str] | None = None) -> dict[str, str]:
    """The headers the SDK's signer writes for ``method url body`` (``headers`` are the ones sent beside them,
    JSON's Content-Type by default), signed with ``key`` (access key, secret) at ``at`` (the signer's own wall
    clock when None)."""
    written = {"Content-Type": "application/json", **(headers or {})}
    signer = Signer(Quiet())
    if at is not None:
        signer._Signer__now = lambda: at.astimezone(UTC).replace(tzinfo=None)
    signer.sign(method=method, service="vm", region=REGION, uri=url, headers=written, data=body.decode(),
                credential=Credential(*key), security_token="")
    return written


def lowered(headers: Mapping[str, str], host: str) -> dict[str, str]:
    """``headers`` as the HTTP shell hands them on (names lower-cased), with the Host header a client adds."""
    return {**{name.lower(): value for name, value in headers.items()}, "host": host}
