"""Deterministic identifiers and addresses: derived from the world's sequence number, never random."""

from __future__ import annotations

import hashlib

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


# Two base-36 digits at a time, least significant first (ids are created on every create: keep it cheap).
_PAIRS = tuple(_ALPHABET[r % 36] + _ALPHABET[r // 36] for r in range(36 * 36))


def derive_id(prefix: str, seq: int) -> str:
    """``prefix`` + 10 lowercase alphanumerics: the base-36 digits, least significant first, of the first 8
    bytes of sha256(prefix + seq). A pure function of (prefix, seq)."""
    n = int.from_bytes(hashlib.sha256(f"{prefix}{seq}".encode()).digest()[:8], "big")
    chars = []
    for _ in range(5):
        n, r = divmod(n, 1296)
        chars.append(_PAIRS[r])
    return prefix + "".join(chars)


def derive_mac(seq: int) -> str:
    digest = hashlib.sha256(f"mac{seq}".encode()).digest()
    return "fa:16:3e:" + ":".join(f"{b:02x}" for b in digest[:3])


def derive_public_ip(seq: int) -> str:
    digest = hashlib.sha256(f"eip{seq}".encode()).digest()
    return f"116.196.{digest[0]}.{digest[1] % 254 + 1}"


def password_digest(password: str) -> str:
    return hashlib.sha256(password.encode("utf-8", "surrogatepass")).hexdigest()
