"""Deterministic identifiers and addresses: derived from the world's sequence number, never random."""

from __future__ import annotations

import hashlib
import struct

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


# Two base-36 digits at a time, least significant first (ids are created on every create: keep it cheap).
_PAIRS = tuple(_ALPHABET[r % 36] + _ALPHABET[r // 36] for r in range(36 * 36))
_sha256 = hashlib.sha256
_first_8_bytes = struct.Struct(">Q").unpack_from
_TEN_DIGITS = 36**10


def derive_id(prefix: str, seq: int) -> str:
    """``prefix`` + 10 lowercase alphanumerics: the base-36 digits, least significant first, of the first 8
    bytes of sha256(prefix + seq). A pure function of (prefix, seq)."""
    # Only the 10 lowest digits are kept, so the 64-bit number is cut to them first: what is left is split
    # into two numbers of one machine word each, whose divisions are cheaper than a 64-bit one's (a bulk build
    # derives two ids per instance; 1296 = 36**2, the pairs' radix).
    high, low = divmod(_first_8_bytes(_sha256(f"{prefix}{seq}".encode()).digest())[0] % _TEN_DIGITS, 1296**3)
    p = _PAIRS
    middle, lowest = divmod(low, 1296**2)
    return f"{prefix}{p[lowest % 1296]}{p[lowest // 1296]}{p[middle]}{p[high % 1296]}{p[high // 1296]}"


def derive_mac(seq: int) -> str:
    """A locally administered MAC (fa:16:3e: and 3 bytes of sha256("mac" + seq), lowercase hex)."""
    return "fa:16:3e:" + _sha256(f"mac{seq}".encode()).digest()[:3].hex(":")


def derive_public_ip(seq: int) -> str:
    digest = _sha256(f"eip{seq}".encode()).digest()
    return f"116.196.{digest[0]}.{digest[1] % 254 + 1}"


def password_digest(password: str) -> str:
    return hashlib.sha256(password.encode("utf-8", "surrogatepass")).hexdigest()
