"""Deterministic identifiers and addresses: derived from the world's sequence number, never random."""

from __future__ import annotations

import hashlib

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


# Two base-36 digits at a time, least significant first (ids are created on every create: keep it cheap).
_PAIRS = tuple(_ALPHABET[r % 36] + _ALPHABET[r // 36] for r in range(36 * 36))
_sha256 = hashlib.sha256


def derive_id(prefix: str, seq: int) -> str:
    """``prefix`` + 10 lowercase alphanumerics: the base-36 digits, least significant first, of the first 8
    bytes of sha256(prefix + seq). A pure function of (prefix, seq)."""
    n = int.from_bytes(_sha256(f"{prefix}{seq}".encode()).digest()[:8], "big")
    # Written out, not looped: a bulk build derives two ids per instance (1296 = 36**2, the pairs' radix).
    p = _PAIRS
    return (f"{prefix}{p[n % 1296]}{p[n // 1296 % 1296]}{p[n // 1296**2 % 1296]}{p[n // 1296**3 % 1296]}"
            f"{p[n // 1296**4 % 1296]}")


def derive_mac(seq: int) -> str:
    """A locally administered MAC (fa:16:3e: and 3 bytes of sha256("mac" + seq), lowercase hex)."""
    return "fa:16:3e:" + _sha256(f"mac{seq}".encode()).digest()[:3].hex(":")


def derive_public_ip(seq: int) -> str:
    digest = _sha256(f"eip{seq}".encode()).digest()
    return f"116.196.{digest[0]}.{digest[1] % 254 + 1}"


def password_digest(password: str) -> str:
    return hashlib.sha256(password.encode("utf-8", "surrogatepass")).hexdigest()
