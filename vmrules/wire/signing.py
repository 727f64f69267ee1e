"""Verification of JD Cloud request signatures (JDCLOUD2-HMAC-SHA256 and JDCLOUD3-HMAC-SHA256).

The signer hashes a canonical request (method, normalised path, sorted normalised query, the signed headers,
the SHA-256 of the body), signs it with a key derived from the secret by an HMAC chain over the date, region
and service, and sends ``Authorization: <algorithm> Credential=<ak>/<date>/<region>/<service>/<terminator>,
SignedHeaders=<h1;h2>, Signature=<hex>`` with the time in ``x-jdcloud-date``. The official Python SDK signs
with version 3 since 1.6.3xx (its ``signV3``); the older version 2 normalises the query and path differently.

Each version's canonical form is rebuilt exactly as the official SDK's signer of that version builds it, and
anything the engine would read that the form leaves out is refused (docs/decisions/signing.md): a bare query
key under JDCLOUD3 (which drops it), raw whitespace (which version 2 strips), a ``+`` in a JDCLOUD3 path. The
date is always covered (it is in the string to sign), ``host`` must be a signed header, the body is hashed as
its bytes, and an accepted request's ``x-jdcloud-nonce`` is refused when seen again within the skew.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from urllib.parse import quote, unquote, unquote_plus

from vmrules.wire.nonces import NonceMemory, Seen

_VERSIONS = {
    "JDCLOUD2-HMAC-SHA256": ("JDCLOUD2", "jdcloud2_request"),
    "JDCLOUD3-HMAC-SHA256": ("JDCLOUD3", "jdcloud3_request"),
}
_AUTH = re.compile(
    r"^(?P<alg>\S+) Credential=(?P<ak>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)/(?P<term>[^,]+),"
    r"\s*SignedHeaders=(?P<signed>[^,]+),\s*Signature=(?P<sig>[0-9a-f]{64})$"
)


_UNSIGNABLE = re.compile(r"[\x00-\x20\x7f]")  # the SDK strips whitespace around query pieces before signing


class AuthError(Exception):
    """Why a request is not authenticated (becomes a 401 UNAUTHENTICATED response)."""


class Unchecked(Enum):
    """What ``secret_for`` answers for a key that is accepted without its secret (the in-process mock's keys
    given as pins only): everything but the HMAC itself is still checked."""

    SECRET_UNKNOWN = "secret unknown"


class NoncesExhausted(AuthError):
    """The nonce memory is full of current nonces: the API answers 429 RATE_LIMIT_EXCEEDED (an AuthError, so a
    caller that only knows AuthError still refuses the request)."""


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


def _canonical_uri(path: str, version3: bool) -> str:
    # signV3: decoded (+ as space), repeated slashes collapsed, encoded again; version 2 encoded the SDK's raw
    # path, which for a path decoded once (as routing decodes it) is the same
    decoded = re.sub("/+", "/", unquote_plus(path)) if version3 else unquote(path)
    encoded = quote(decoded, "/~")
    return encoded if encoded.startswith("/") else "/" + encoded


def _canonical_query(query: str, version3: bool) -> str:
    """The query as the SDK's signer of that version normalises it."""
    if version3:  # every piece split at its first "=", each side decoded (+ as space) and encoded again
        pairs = sorted([quote(unquote_plus(part), "~") for part in piece.split("=", 1)]
                       for piece in query.split("&") if piece)
        return "&".join(f"{p[0]}={p[1]}" for p in pairs if p[0] and len(p) == 2)
    # version 2: nothing decoded; a bare key is signed as "key="
    pieces = sorted([part.strip() for part in piece.split("=")] for piece in query.split("&") if piece)
    return "&".join(
        f"{p[0]}={p[1] if len(p) == 2 else '%3D'.join(p[1:]) if len(p) > 2 else ''}" for p in pieces
    )


def _uncovered(request: SignedRequest, version3: bool) -> str | None:
    """What in the request the engine would read but the signature of this version cannot cover."""
    if _UNSIGNABLE.search(request.query):
        return "the query string holds whitespace or control characters, which a signature cannot cover"
    if version3:
        for piece in request.query.split("&"):
            if piece and ("=" not in piece or not piece.split("=", 1)[0]):
                return (f"the query piece {piece[:80]!r} has no name=value form; a JDCLOUD3 signature leaves it "
                        "out, but the request would still carry it")
        if "+" in request.path:
            return "a '+' in the path is signed as a space but routed as a plus; encode it as %2B"
    return None


def signature(request: SignedRequest, *, algorithm: str, secret: str, date: str, region: str, service: str,
              signed_headers: list[str]) -> str:
    prefix, terminator = _VERSIONS[algorithm]
    version3 = prefix == "JDCLOUD3"
    lines = []
    for name in signed_headers:
        value = request.headers.get(name, "")
        lines.append(f"{name}:{value.strip()}")
    canonical = "\n".join([
        request.method,
        _canonical_uri(request.path, version3),
        _canonical_query(request.query, version3),
        "\n".join(lines) + "\n",
        ";".join(signed_headers),
        hashlib.sha256(request.body).hexdigest(),
    ])
    scope = f"{date[:8]}/{region}/{service}/{terminator}"
    to_sign = "\n".join([algorithm, date, scope, _sha256(canonical)])
    key = _hmac((prefix + secret).encode("utf-8"), date[:8])
    for part in (region, service, terminator):
        key = _hmac(key, part)
    return hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def verify(request: SignedRequest, secret_for: Callable[[str], str | Unchecked | None], now: datetime,
           max_skew_seconds: int, nonces: NonceMemory | None = None) -> str:
    """The access key that signed ``request``; ``AuthError`` saying why it is not accepted, or
    ``NoncesExhausted``. With ``nonces``, an accepted request's nonce is remembered and a replay refused."""
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
    signed_headers = m["signed"].split(";")
    if "host" not in signed_headers:
        raise AuthError(f"the signature must cover the host header (SignedHeaders={m['signed'][:200]})")
    for name in (*signed_headers, "x-jdcloud-nonce"):
        if name not in request.headers:
            raise AuthError(f"the header {name[:80]} is missing")
    uncovered = _uncovered(request, m["alg"].startswith("JDCLOUD3"))
    if uncovered:
        raise AuthError(uncovered)
    secret = secret_for(m["ak"])
    if secret is None:
        raise AuthError(f"unknown access key {m['ak']}")
    if secret is not Unchecked.SECRET_UNKNOWN:
        expected = signature(request, algorithm=m["alg"], secret=secret, date=date, region=m["region"],
                             service=m["service"], signed_headers=signed_headers)
        if not hmac.compare_digest(expected, m["sig"]):
            raise AuthError("the signature does not match the request")
    if nonces is not None:
        nonce = request.headers["x-jdcloud-nonce"]
        seen = nonces.remember(m["ak"], nonce, expires_at=signed_at.timestamp() + max_skew_seconds,
                               now=now.timestamp())
        if seen is Seen.REPLAYED:
            raise AuthError(f"the nonce {nonce[:80]} was already used by an accepted request (a replay)")
        if seen is Seen.FULL:
            raise NoncesExhausted(f"more than {nonces.capacity} signed requests within the allowed clock skew; "
                                  "retry later")
    return m["ak"]
