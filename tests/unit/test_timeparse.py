"""Durations and meeting times as residents type them, read into exact UTC instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deliberation.timeparse import (
    BadDate,
    BadDuration,
    DateInPast,
    format_local,
    parse_duration,
    parse_when,
    split_when_and_rest,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
UTC = UTC
MAX_MINUTES = 366 * 24 * 60


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("45min", timedelta(minutes=45)),
        ("24h", timedelta(hours=24)),
        ("3d", timedelta(days=3)),
        ("2w", timedelta(weeks=2)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("30分钟", timedelta(minutes=30)),
        ("2小时", timedelta(hours=2)),
        ("1个小时", timedelta(hours=1)),
        ("3天", timedelta(days=3)),
        ("1周", timedelta(weeks=1)),
        ("３天", timedelta(days=3)),
        ("２４ｈ", timedelta(hours=24)),
        ("  3d  ", timedelta(days=3)),
        ("\u30003天\u3000", timedelta(days=3)),
        ("2H", timedelta(hours=2)),
        ("366d", timedelta(days=366)),
        ("0h30m", timedelta(minutes=30)),
    ],
)
def test_durations_accepted(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "malformed"),
        ("   ", "malformed"),
        ("0m", "zero"),
        ("0天", "zero"),
        ("-3d", "malformed"),
        ("3", "malformed"),
        ("d", "malformed"),
        ("3 d", "malformed"),
        ("1.5h", "malformed"),
        ("3x", "malformed"),
        ("three days", "malformed"),
        ("1h30", "malformed"),
        ("30m1h", "malformed"),
        ("1h1h", "malformed"),
        ("367d", "too_long"),
        ("366d1m", "too_long"),
        ("53w", "too_long"),
        ("9" * 40 + "d", "malformed"),
    ],
)
def test_durations_refused(text: str, reason: str) -> None:
    with pytest.raises(BadDuration) as caught:
        parse_duration(text)
    assert caught.value.text == text
    assert caught.value.reason == reason
    assert caught.value.example == "30m, 24h, 3d, 3天, 2小时"
    assert isinstance(caught.value, ValueError)


@given(st.integers(min_value=1, max_value=MAX_MINUTES))
def test_whole_minutes_round_trip(minutes: int) -> None:
    assert parse_duration(f"{minutes}m") == timedelta(minutes=minutes)


@given(st.text())
def test_garbage_duration_raises_only_bad_duration(text: str) -> None:
    try:
        delta = parse_duration(text)
    except BadDuration:
        return
    assert timedelta(0) < delta <= timedelta(days=366)


@pytest.mark.parametrize(
    ("text", "expected_utc"),
    [
        ("2026-12-01 19:30", datetime(2026, 12, 1, 11, 30, tzinfo=UTC)),
        ("2026/12/01 19:30", datetime(2026, 12, 1, 11, 30, tzinfo=UTC)),
        ("2026-12-01T19:30", datetime(2026, 12, 1, 11, 30, tzinfo=UTC)),
        ("2026-7-5 8:05", datetime(2026, 7, 5, 0, 5, tzinfo=UTC)),
        ("２０２６－１２－０１　１９：３０", datetime(2026, 12, 1, 11, 30, tzinfo=UTC)),
        ("  2026-12-01   19:30 ", datetime(2026, 12, 1, 11, 30, tzinfo=UTC)),
        ("3d", NOW + timedelta(days=3)),
        ("2小时", NOW + timedelta(hours=2)),
    ],
)
def test_when_accepted_in_shanghai(text: str, expected_utc: datetime) -> None:
    when = parse_when(text, now=NOW, tz="Asia/Shanghai")
    assert when == expected_utc
    assert when.utcoffset() == timedelta(0)


def test_default_zone_is_shanghai() -> None:
    assert parse_when("2026-12-01 19:30", now=NOW) == datetime(2026, 12, 1, 11, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected_utc"),
    [
        # Summer time (CEST, +02:00) and winter time (CET, +01:00).
        ("2026-07-01 19:30", datetime(2026, 7, 1, 17, 30, tzinfo=UTC)),
        ("2026-12-01 19:30", datetime(2026, 12, 1, 18, 30, tzinfo=UTC)),
        # Shown twice when clocks go back: the first occurrence, still in summer time.
        ("2026-10-25 02:30", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
    ],
)
def test_when_in_a_zone_with_summer_time(text: str, expected_utc: datetime) -> None:
    assert parse_when(text, now=NOW, tz="Europe/Berlin") == expected_utc


def test_wall_time_skipped_by_spring_forward_is_refused() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(BadDate) as caught:
        parse_when("2026-03-29 02:30", now=now, tz="Europe/Berlin")
    assert caught.value.reason == "no_such_local_time"


def test_duration_is_absolute_time_across_a_clock_change() -> None:
    before_change = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    assert parse_when("1d", now=before_change, tz="Europe/Berlin") == before_change + timedelta(days=1)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "malformed"),
        ("tomorrow", "malformed"),
        ("2026-12-01", "date_without_time"),
        ("2026/12/01", "date_without_time"),
        ("19:30", "malformed"),
        ("2026-12-01 19", "malformed"),
        ("2026-12-01 19:3", "malformed"),
        ("2026-02-30 10:00", "no_such_date"),
        ("2026-13-01 10:00", "no_such_date"),
        ("2026-12-01 24:00", "no_such_date"),
        ("2026-12-01 19:60", "no_such_date"),
        ("26-12-01 19:30", "malformed"),
        ("0m", "malformed"),
        ("400d", "malformed"),
    ],
)
def test_when_refused(text: str, reason: str) -> None:
    with pytest.raises(BadDate) as caught:
        parse_when(text, now=NOW)
    assert caught.value.text == text
    assert caught.value.reason == reason
    assert caught.value.example == "2026-12-01 19:30"
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("text", ["2026-06-01 20:00", "2026-05-31 23:59", "2020-01-01 00:00"])
def test_past_times_refused(text: str) -> None:
    # NOW is 2026-06-01 20:00 in Shanghai: that instant itself is not in the future.
    with pytest.raises(DateInPast) as caught:
        parse_when(text, now=NOW)
    assert caught.value.text == text
    assert caught.value.when <= NOW
    assert isinstance(caught.value, ValueError)


def test_one_minute_ahead_is_in_the_future() -> None:
    assert parse_when("2026-06-01 20:01", now=NOW) == NOW + timedelta(minutes=1)


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_when("3d", now=datetime(2026, 6, 1))


@pytest.mark.parametrize(
    ("text", "expected_when", "expected_rest"),
    [
        ("2026-12-01 19:30 楼栋议事会", datetime(2026, 12, 1, 11, 30, tzinfo=UTC), "楼栋议事会"),
        ("  2026-12-01  19:30   楼栋  议事会 ", datetime(2026, 12, 1, 11, 30, tzinfo=UTC), "楼栋  议事会"),
        ("2026-12-01T19:30 议事会", datetime(2026, 12, 1, 11, 30, tzinfo=UTC), "议事会"),
        ("2026-12-01 19:30", datetime(2026, 12, 1, 11, 30, tzinfo=UTC), ""),
        ("3d", NOW + timedelta(days=3), ""),
        ("3天 修好门禁（东门）", NOW + timedelta(days=3), "修好门禁（东门）"),
        ("2小时\u3000开会", NOW + timedelta(hours=2), "开会"),
    ],
)
def test_split_takes_time_from_the_front(text: str, expected_when: datetime, expected_rest: str) -> None:
    assert split_when_and_rest(text, now=NOW, tz="Asia/Shanghai") == (expected_when, expected_rest)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "malformed"),
        ("楼栋议事会 2026-12-01 19:30", "malformed"),
        ("2026-12-01 楼栋议事会", "date_without_time"),
        ("3 d 议事会", "malformed"),
    ],
)
def test_split_refuses_text_without_a_leading_time(text: str, reason: str) -> None:
    with pytest.raises(BadDate) as caught:
        split_when_and_rest(text, now=NOW, tz="Asia/Shanghai")
    assert caught.value.reason == reason


def test_split_refuses_past_time() -> None:
    with pytest.raises(DateInPast):
        split_when_and_rest("2020-01-01 10:00 旧会", now=NOW, tz="Asia/Shanghai")


@pytest.mark.parametrize(
    ("dt", "tz", "expected"),
    [
        (datetime(2026, 12, 1, 11, 30, tzinfo=UTC), "Asia/Shanghai", "2026-12-01 19:30"),
        (datetime(2026, 12, 1, 18, 30, tzinfo=UTC), "Europe/Berlin", "2026-12-01 19:30"),
        (datetime(2026, 7, 1, 17, 30, tzinfo=UTC), "Europe/Berlin", "2026-07-01 19:30"),
        (datetime(2026, 12, 31, 16, 5, tzinfo=UTC), "Asia/Shanghai", "2027-01-01 00:05"),
    ],
)
def test_format_local(dt: datetime, tz: str, expected: str) -> None:
    assert format_local(dt, tz) == expected


@given(st.integers(min_value=1, max_value=10 * MAX_MINUTES))
def test_formatted_future_time_reads_back(minutes_ahead: int) -> None:
    when = NOW + timedelta(minutes=minutes_ahead)
    assert parse_when(format_local(when, "Asia/Shanghai"), now=NOW, tz="Asia/Shanghai") == when


@given(st.text())
def test_garbage_when_raises_only_our_errors(text: str) -> None:
    try:
        when = parse_when(text, now=NOW)
    except (BadDate, DateInPast):
        return
    assert when > NOW


@given(st.text())
def test_garbage_split_raises_only_our_errors(text: str) -> None:
    try:
        when, rest = split_when_and_rest(text, now=NOW)
    except (BadDate, DateInPast):
        return
    assert when > NOW
    assert rest == rest.strip()
