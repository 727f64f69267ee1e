"""Names, descriptions and passwords every naming and password rule accepts."""

from __future__ import annotations

from hypothesis import strategies as st

# ==== names, passwords, texts ========================================================================

_NAME_CHARS = "abcdefghkmnpqrstuvwxyzABCDEFGHKMNPQRSTUVWXYZ0123456789_-云主机测试"


def names(min_size: int = 2, max_size: int = 32) -> st.SearchStrategy[str]:
    """Names every naming rule accepts: 2-32 of letters, digits, Chinese, ``_`` and ``-``, not starting with
    ``-`` or ``_``."""
    return st.tuples(st.sampled_from("abcdefghkmnpqrstuvwxyzABCDEFGHKMNPQRSTUVWXYZ云主机"),
                     st.text(alphabet=_NAME_CHARS, min_size=min_size - 1, max_size=max_size - 1)).map("".join)


def descriptions() -> st.SearchStrategy[str]:
    """Descriptions within the 256-character limit (any characters)."""
    return st.text(max_size=80) | st.just("d" * 256)


_UPPER = "ABDEGHKMNPRSTUVY"
_LOWER = "abdeghkmnprstuvy"
_DIGIT = "2468"
_SPECIAL = "!#$%&*+=?@^_~"


def valid_passwords() -> st.SearchStrategy[str]:
    """Passwords the public parameter rules accept (8-30 characters, all four character classes, no
    forbidden word, no run of three digits or letters, no keyboard sequence): classes alternate, so no two
    digits and no three letters are ever adjacent."""
    quad = st.tuples(st.sampled_from(_UPPER), st.sampled_from(_LOWER), st.sampled_from(_DIGIT),
                     st.sampled_from(_SPECIAL)).map("".join)
    return st.lists(quad, min_size=2, max_size=7).map("".join)
