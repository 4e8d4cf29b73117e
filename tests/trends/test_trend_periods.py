"""Periods in the campaign's timezone: DST days, repeated hours, weeks, ranges."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.trends import PeriodError, Periods, cut_periods, date_range, last_days
from bot.trends._format import period_label

AMS = ZoneInfo("Europe/Amsterdam")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def lengths(periods: Periods) -> list[timedelta]:
    return [stop - start for start, stop in periods.spans()]


def test_a_spring_forward_day_is_23_hours_and_starts_at_local_midnight() -> None:
    periods = cut_periods(utc(2026, 3, 28, 12), utc(2026, 3, 30, 12), "day", AMS)
    assert [b.astimezone(AMS).isoformat() for b in periods.bounds] == [
        "2026-03-28T00:00:00+01:00",
        "2026-03-29T00:00:00+01:00",
        "2026-03-30T00:00:00+02:00",
        "2026-03-31T00:00:00+02:00",
    ]
    assert lengths(periods) == [timedelta(hours=24), timedelta(hours=23), timedelta(hours=24)]


def test_a_fall_back_day_is_25_hours() -> None:
    periods = cut_periods(utc(2026, 10, 25, 12), utc(2026, 10, 25, 13), "day", AMS)
    assert lengths(periods) == [timedelta(hours=25)]


def test_the_repeated_hour_of_a_fall_back_is_two_periods_with_distinct_labels() -> None:
    periods = cut_periods(utc(2026, 10, 24, 22), utc(2026, 10, 25, 23), "hour", AMS)
    assert len(periods) == 25
    assert set(lengths(periods)) == {timedelta(hours=1)}
    labels = [period_label(start.astimezone(AMS), "hour") for start, _ in periods.spans()]
    assert labels[2:4] == ["2026-10-25 02:00 CEST", "2026-10-25 02:00 CET"]
    assert len(set(labels)) == 25


def test_the_skipped_hour_of_a_spring_forward_is_not_a_period() -> None:
    periods = cut_periods(utc(2026, 3, 28, 23), utc(2026, 3, 29, 22), "hour", AMS)
    local_hours = [start.astimezone(AMS).hour for start, _ in periods.spans()]
    assert local_hours[:4] == [0, 1, 3, 4]
    assert len(periods) == 23


def test_weeks_start_on_monday_at_local_midnight() -> None:
    periods = cut_periods(utc(2026, 10, 21, 12), utc(2026, 11, 4, 12), "week", AMS)
    starts = [start.astimezone(AMS) for start, _ in periods.spans()]
    assert [s.date() for s in starts] == [date(2026, 10, 19), date(2026, 10, 26), date(2026, 11, 2)]
    assert all(s.weekday() == 0 and s.hour == 0 for s in starts)
    assert lengths(periods)[0] == timedelta(days=7, hours=1)  # the week with the fall-back


def test_hours_follow_a_half_hour_utc_offset() -> None:
    periods = cut_periods(utc(2026, 5, 1, 0, 40), utc(2026, 5, 1, 3), "hour", ZoneInfo("Asia/Kolkata"))
    assert [b.minute for b in periods.bounds] == [30, 30, 30, 30]
    assert periods.bounds[0] == utc(2026, 5, 1, 0, 30)


def test_a_day_whose_midnight_is_skipped_starts_when_the_day_begins() -> None:
    santiago = ZoneInfo("America/Santiago")
    periods = cut_periods(utc(2026, 9, 6, 12), utc(2026, 9, 6, 13), "day", santiago)
    assert periods.bounds[0].astimezone(santiago).isoformat() == "2026-09-06T01:00:00-03:00"


def test_the_first_period_starts_at_or_before_since_and_the_last_reaches_until() -> None:
    since, until = utc(2026, 2, 10, 15, 20), utc(2026, 2, 12, 9)
    periods = cut_periods(since, until, "day", AMS)
    assert periods.bounds[0] <= since < periods.bounds[1]
    assert periods.bounds[-2] < until <= periods.bounds[-1]


def test_the_period_before_the_first_is_the_previous_local_day() -> None:
    periods = cut_periods(utc(2026, 3, 30, 12), utc(2026, 3, 31, 12), "day", AMS)
    start, stop = periods.before()
    assert (start.astimezone(AMS).isoformat(), stop) == ("2026-03-29T00:00:00+01:00", periods.bounds[0])


def test_too_many_periods_is_a_one_line_error() -> None:
    with pytest.raises(
        PeriodError, match=r"^more than 10,000 periods; use a coarser --by or a shorter range$"
    ):
        cut_periods(utc(2024, 1, 1), utc(2026, 1, 1), "hour", AMS)


def test_last_days_includes_today_in_the_campaign_timezone() -> None:
    now = utc(2026, 2, 14, 23, 30)  # already 15 February in Amsterdam
    since, until = last_days(2, now, AMS)
    assert since.astimezone(AMS).isoformat() == "2026-02-14T00:00:00+01:00"
    assert until == now


def test_a_date_range_includes_its_last_day() -> None:
    since, until = date_range(date(2026, 2, 10), date(2026, 2, 12), utc(2026, 3, 1), AMS)
    assert (since, until) == (utc(2026, 2, 9, 23), utc(2026, 2, 12, 23))


def test_a_date_range_stops_at_now() -> None:
    now = utc(2026, 2, 11, 8)
    assert date_range(date(2026, 2, 10), date(2026, 2, 20), now, AMS)[1] == now
    assert date_range(date(2026, 2, 10), None, now, AMS)[1] == now


def test_until_before_since_is_refused() -> None:
    with pytest.raises(PeriodError, match=r"^--until 2026-02-01 is before --since 2026-02-10$"):
        date_range(date(2026, 2, 10), date(2026, 2, 1), utc(2026, 3, 1), AMS)


def test_a_since_in_the_future_is_refused() -> None:
    with pytest.raises(PeriodError, match=r"^--since 2026-04-01 is in the future$"):
        date_range(date(2026, 4, 1), None, utc(2026, 3, 1), AMS)
