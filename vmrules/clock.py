"""World time: integer seconds on a logical clock, rendered as ISO-8601 UTC on the wire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# 2026-01-01T00:00:00Z: where the default world's clock starts.
DEFAULT_EPOCH = 1767225600
HOUR = 3600
# 9990-01-01T00:00:00Z: the latest the world's clock may be. Operations put times ahead of the clock (a
# prepaid instance's expiry, at most 3 years ahead), and every time they put must still be one iso() can show:
# a four-digit year, up to 9999-12-31T23:59:59Z, which parse_iso reads back.
MAX_CLOCK = 253086768000
_UNIX_EPOCH = datetime(1970, 1, 1)  # naive, read as UTC: iso() appends the Z


def iso(seconds: int) -> str:
    """``seconds`` on the clock as ISO-8601 UTC with a Z (``2026-01-01T00:00:00Z``), the year always 4 digits.

    Every time field of every listing is rendered by this (5 of them per instance described), so it adds a
    ``timedelta`` to a fixed epoch and uses ``isoformat``: half the cost of ``fromtimestamp`` + ``strftime``,
    and a year below 1000 keeps its leading zeros (ISO-8601, and what ``parse_iso`` reads back)."""
    return (_UNIX_EPOCH + timedelta(seconds=seconds)).isoformat() + "Z"


def parse_iso(text: str) -> int | None:
    """Seconds for an ISO-8601 timestamp, or None when it is not one (callers turn that into an error)."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


def year_of(seconds: int) -> int:
    return datetime.fromtimestamp(seconds, UTC).year
