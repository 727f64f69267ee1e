"""Verification of JD Cloud request signatures (JDCLOUD2-HMAC-SHA256 and JDCLOUD3-HMAC-SHA256).

The signer hashes a canonical request (method, normalised path, sorted normalised query, the signed headers,
the SHA-256 of the body), signs it with a key derived from the secret by an HMAC chain over the date, region
and service, and sends ``Authorization: <algorithm> Credential=<ak>/<date>/<region>/<service>/<terminator>,
SignedHeaders=<h1;h2>, Signature=<hex>`` with the time in ``x-jdcloud-date``. The current official SDK signs
with version 3; version 2 differs only in its names.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, unquote_plus

_VERSIONS = {
    "JDCLOUD2-HMAC-SHA256": ("JDCLOUD2", "jdcloud2_request"),
    "JDCLOUD3-HMAC-SHA256": ("JDCLOUD3", "jdcloud3_request"),
}
_AUTH = re.compile(
    r"^(?P<alg>\S+) Credential=(?P<ak>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)/(?P<term>[^,]+),"
    r"\s*SignedHeaders=(?P<signed>[^,]+),\s*Signature=(?P<sig>[0-9a-f]{64})$"
)


class AuthError(Exception):
    """Why a request is not authenticated (becomes a 401 UNAUTHENTICATED response)."""


@dataclass(frozen=True)
class SignedRequest:
    method: str
    path: str
    query: str
    headers: Mapping[str, str]  # lower-case names
    body: bytes


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def _canonical_uri(path: str) -> str:
    decoded = re.sub("/+", "/", unquote_plus(path))
    encoded = quote(decoded, "/~")
    return encoded if encoded.startswith("/") else "/" + encoded


def _canonical_query(query: str) -> str:
    pairs = []
    for piece in query.split("&"):
        if not piece:
            continue
        pairs.append([quote(unquote_plus(part), "~") for part in piece.split("=", 1)])
    # Pieces without "=" carry no value and are not signed (as the SDK normalises them).
    return "&".join(f"{k}={v}" for k, v in (p for p in sorted(pairs) if len(p) == 2 and p[0]))


def signature(request: SignedRequest, *, algorithm: str, secret: str, date: str, region: str, service: str,
              signed_headers: list[str]) -> str:
    prefix, terminator = _VERSIONS[algorithm]
    lines = []
    for name in signed_headers:
        value = request.headers.get(name, "")
        lines.append(f"{name}:{value.strip()}")
    canonical = "\n".join([
        request.method,
        _canonical_uri(request.path),
        _canonical_query(request.query),
        "\n".join(lines) + "\n",
        ";".join(signed_headers),
        _sha256(request.body.decode("utf-8", "replace")),
    ])
    scope = f"{date[:8]}/{region}/{service}/{terminator}"
    to_sign = "\n".join([algorithm, date, scope, _sha256(canonical)])
    key = _hmac((prefix + secret).encode("utf-8"), date[:8])
    for part in (region, service, terminator):
        key = _hmac(key, part)
    return hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def verify(request: SignedRequest, secret_for: Callable[[str], str | None], now: datetime,
           max_skew_seconds: int) -> str:
    """The access key that signed ``request``, or ``AuthError`` saying why it is not accepted."""
    header = request.headers.get("authorization")
    if not header:
        raise AuthError("the request is not signed (no Authorization header)")
    m = _AUTH.match(header.strip())
    if m is None or m["alg"] not in _VERSIONS or m["term"] != _VERSIONS[m["alg"]][1]:
        raise AuthError("the Authorization header is not a JDCLOUD2/JDCLOUD3-HMAC-SHA256 signature")
    date = request.headers.get("x-jdcloud-date", "")
    try:
        signed_at = datetime.strptime(date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise AuthError("x-jdcloud-date is missing or not of the form YYYYMMDDTHHMMSSZ") from None
    if abs((now - signed_at).total_seconds()) > max_skew_seconds:
        raise AuthError(f"x-jdcloud-date {date} is more than {max_skew_seconds} s away from the server's clock")
    if date[:8] != m["date"]:
        raise AuthError("the credential scope's date does not match x-jdcloud-date")
    secret = secret_for(m["ak"])
    if secret is None:
        raise AuthError(f"unknown access key {m['ak']}")
    signed_headers = m["signed"].split(";")
    expected = signature(request, algorithm=m["alg"], secret=secret, date=date, region=m["region"],
                         service=m["service"], signed_headers=signed_headers)
    if not hmac.compare_digest(expected, m["sig"]):
        raise AuthError("the signature does not match the request")
    return m["ak"]
