"""The world clock's rendering: ISO-8601 UTC with a Z, read back by parse_iso."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from vmrules.clock import DEFAULT_EPOCH, iso, parse_iso, year_of

# Across the years a world's clock can hold: before and after the Unix epoch, leap days, the end of a year,
# the last second of year 9999.
SECONDS = [DEFAULT_EPOCH, 0, -1, 1, 951782400, 951868799, 1709164800, 1767225599, 4102444800,
           253402300799, -30610224000]


@pytest.mark.parametrize("seconds", SECONDS)
def test_iso_is_the_utc_calendar_time_with_a_z(seconds: int) -> None:
    expected = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert iso(seconds) == expected
    assert parse_iso(iso(seconds)) == seconds
    assert year_of(seconds) == int(expected[:4])


def test_a_year_below_1000_keeps_four_digits_and_reads_back() -> None:
    year_1 = -62135596800  # 0001-01-01T00:00:00Z
    assert iso(year_1) == "0001-01-01T00:00:00Z"
    assert parse_iso(iso(year_1)) == year_1
    last_of_999 = -30610224001
    assert iso(last_of_999) == "0999-12-31T23:59:59Z"
    assert parse_iso(iso(last_of_999)) == last_of_999
