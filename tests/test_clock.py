"""The world clock's rendering: ISO-8601 UTC with a Z, read back by parse_iso."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from vmrules import World, advance, advance_room, execute, settle
from vmrules.clock import DEFAULT_EPOCH, MAX_CLOCK, iso, parse_iso, year_of
from vmrules.defaults import NORTH
from vmrules.engine import advance_as_far_as_allowed
from vmrules.snapshot import SnapshotError

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


# ---- the clock's bound: every time an operation derives from it must show ---------------------------------

PREPAID_3Y = {"az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": "img-centos7lcl", "name": "late",
              "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
              "systemDisk": {"diskCategory": "local"},
              "charge": {"chargeMode": "prepaid_by_duration", "chargeUnit": "year", "chargeDuration": 3}}


def test_the_clock_advances_up_to_max_clock_and_no_further() -> None:
    world = World.default()
    room = advance_room(world)
    assert room == MAX_CLOCK - world.clock and iso(MAX_CLOCK) == "9990-01-01T00:00:00Z"
    latest = advance(world, room)
    assert latest.clock == MAX_CLOCK and advance_room(latest) == 0
    assert advance(latest, 0) is not None
    with pytest.raises(ValueError, match="9990-01-01T00:00:00Z"):
        advance(world, room + 1)
    with pytest.raises(ValueError, match="9990-01-01T00:00:00Z"):
        advance(latest, 1)


def test_a_clock_following_wall_time_stops_at_max_clock() -> None:
    world = World.default()
    room = advance_room(world)
    assert advance_as_far_as_allowed(world, 60).clock == world.clock + 60
    assert advance_as_far_as_allowed(world, room).clock == MAX_CLOCK
    assert advance_as_far_as_allowed(world, room + 10**9).clock == MAX_CLOCK


def test_at_the_latest_clock_every_operation_still_shows_its_times() -> None:
    world = advance(World.default(), advance_room(World.default()))
    created = execute(world, "createInstances", {"regionId": NORTH, "instanceSpec": PREPAID_3Y})
    assert created.ok, created.error
    listed = execute(settle(created.world), "describeInstances", {"regionId": NORTH})
    late = next(i for i in listed.result["instances"] if i["instanceName"] == "late")
    assert late["launchTime"] == "9990-01-01T00:00:00Z"
    assert late["charge"]["chargeExpiredTime"].startswith("9992-12-")
    assert World.from_json(settle(created.world).to_json()).clock == MAX_CLOCK


def test_a_snapshot_whose_clock_is_past_max_clock_is_refused_by_path() -> None:
    document = World.default().to_dict()
    document["clock"] = iso(MAX_CLOCK)
    assert World.from_dict(document).clock == MAX_CLOCK
    document["clock"] = iso(MAX_CLOCK + 1)
    with pytest.raises(SnapshotError) as refused:
        World.from_dict(document)
    assert refused.value.path == "clock" and "9990-01-01T00:00:00Z" in str(refused.value)


def test_a_time_without_a_zone_is_read_as_utc_whatever_the_machine_s_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "CST-8")  # POSIX form: UTC+8 without a zone database
    time.tzset()
    try:
        assert parse_iso("2026-01-01T00:00:00") == DEFAULT_EPOCH == parse_iso("2026-01-01T00:00:00Z")
        assert parse_iso("2026-01-01T08:00:00+08:00") == DEFAULT_EPOCH
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize("seconds", [-1, True, 1.5, "60"])
def test_advance_takes_only_a_whole_number_of_seconds_0_or_more(seconds: object) -> None:
    with pytest.raises(ValueError, match="non-negative whole number"):
        advance(World.default(), seconds)  # type: ignore[arg-type]


def test_a_world_already_past_max_clock_has_no_room_and_may_still_advance_by_0() -> None:
    past = World.default().evolve(clock=MAX_CLOCK + 5)  # only a builder can make one: snapshots refuse it
    assert advance_room(past) == 0
    assert advance(past, 0).clock == MAX_CLOCK + 5
