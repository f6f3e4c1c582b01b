"""Weekly and fortnightly series, computed in Danish local time (DST-safe)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from app.i18n import LOCAL_TZ
from app.management.services import BadSeries, BadTimes, weekly_series


def test_series_keeps_local_time_across_the_change_to_winter_time():
    # Summer time ends on Sunday 25 October 2026.
    times = weekly_series(
        weekday=3, start=time(17), end=time(19), first_date=date(2026, 10, 15), count=3
    )
    assert [s.astimezone(LOCAL_TZ).time() for s, _ in times] == [time(17)] * 3
    assert [s.hour for s, _ in times] == [15, 15, 16]  # UTC moves, the wall clock does not
    assert all(s.tzinfo is not None and s.utcoffset().total_seconds() == 0 for s, _ in times)


def test_series_keeps_local_time_across_the_change_to_summer_time():
    times = weekly_series(
        weekday=1, start=time(10), end=time(12), first_date=date(2026, 3, 24), count=2
    )
    assert times[0][0] == datetime(2026, 3, 24, 9, tzinfo=UTC)
    assert times[1][0] == datetime(2026, 3, 31, 8, tzinfo=UTC)


def test_series_starts_on_the_first_matching_weekday():
    times = weekly_series(
        weekday=0, start=time(9), end=time(10), first_date=date(2026, 12, 2), count=1
    )
    assert times[0][0].astimezone(LOCAL_TZ).date() == date(2026, 12, 7)


def test_fortnightly_series_until_an_end_date_skipping_holidays():
    times = weekly_series(
        weekday=2,
        start=time(18),
        end=time(20),
        first_date=date(2026, 1, 7),
        until=date(2026, 3, 4),
        every_weeks=2,
        skip={date(2026, 2, 18)},
    )
    days = [s.astimezone(LOCAL_TZ).date() for s, _ in times]
    assert days == [date(2026, 1, 7), date(2026, 1, 21), date(2026, 2, 4), date(2026, 3, 4)]


def test_skipped_dates_do_not_count_towards_the_number_of_meetings():
    times = weekly_series(
        weekday=2,
        start=time(18),
        end=time(20),
        first_date=date(2026, 1, 7),
        count=3,
        skip={date(2026, 1, 14)},
    )
    assert len(times) == 3
    assert times[-1][0].astimezone(LOCAL_TZ).date() == date(2026, 1, 28)


def test_series_refuses_an_end_before_the_start_and_impossible_rules():
    with pytest.raises(BadTimes):
        weekly_series(weekday=0, start=time(10), end=time(9), first_date=date(2026, 1, 5), count=1)
    with pytest.raises(BadSeries):
        weekly_series(
            weekday=0, start=time(9), end=time(10), first_date=date(2026, 1, 5), count=500
        )
    with pytest.raises(BadSeries):
        weekly_series(
            weekday=0,
            start=time(9),
            end=time(10),
            first_date=date(2026, 1, 6),
            until=date(2026, 1, 8),
        )
