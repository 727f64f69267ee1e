"""Deterministic identifiers and addresses: derived from the world's sequence number, never random."""

from __future__ import annotations

import hashlib

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def derive_id(prefix: str, seq: int) -> str:
    """``prefix`` + 10 lowercase alphanumerics, a pure function of (prefix, seq)."""
    n = int.from_bytes(hashlib.sha256(f"{prefix}{seq}".encode()).digest()[:8], "big")
    chars = []
    for _ in range(10):
        n, r = divmod(n, 36)
        chars.append(_ALPHABET[r])
    return prefix + "".join(chars)


def derive_mac(seq: int) -> str:
    digest = hashlib.sha256(f"mac{seq}".encode()).digest()
    return "fa:16:3e:" + ":".join(f"{b:02x}" for b in digest[:3])


def derive_public_ip(seq: int) -> str:
    digest = hashlib.sha256(f"eip{seq}".encode()).digest()
    return f"116.196.{digest[0]}.{digest[1] % 254 + 1}"


def password_digest(password: str) -> str:
    return hashlib.sha256(password.encode("utf-8", "surrogatepass")).hexdigest()
