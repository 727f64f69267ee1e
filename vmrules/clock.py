"""World time: integer seconds on a logical clock, rendered as ISO-8601 UTC on the wire."""

from __future__ import annotations

from datetime import UTC, datetime

# 2026-01-01T00:00:00Z: where the default world's clock starts.
DEFAULT_EPOCH = 1767225600
HOUR = 3600


def iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
