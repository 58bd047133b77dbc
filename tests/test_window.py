"""The one window type: UTC days [start, end), built from Dagster's time windows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import dagster as dg
import pytest

from analytics_assets.window import Window, utc_day


def test_days_last_day_and_label_of_a_half_open_window():
    w = Window(date(2026, 1, 30), date(2026, 2, 2))
    assert w.days == (date(2026, 1, 30), date(2026, 1, 31), date(2026, 2, 1))
    assert w.last_day == date(2026, 2, 1)
    assert w.label() == "[2026-01-30, 2026-02-02)"
    assert Window.day(date(2026, 2, 28)).label() == "[2026-02-28, 2026-03-01)"
    assert w.bounds == (datetime(2026, 1, 30, tzinfo=UTC), datetime(2026, 2, 2, tzinfo=UTC))


@pytest.mark.parametrize(
    ("start", "end"), [(date(2026, 1, 3), date(2026, 1, 3)), (date(2026, 1, 3), date(2026, 1, 2))]
)
def test_an_empty_window_is_refused(start, end):
    with pytest.raises(ValueError, match="empty window"):
        Window(start, end)


def test_a_dagster_time_window_is_read_in_utc():
    # Dagster hands UTC datetimes; the same instants in another zone give the same days.
    plus_five = timezone(timedelta(hours=5))
    span = dg.TimeWindow(
        datetime(2026, 1, 2, 5, tzinfo=plus_five), datetime(2026, 1, 4, 5, tzinfo=plus_five)
    )
    assert Window.of(span) == Window(date(2026, 1, 2), date(2026, 1, 4))
    week = dg.WeeklyPartitionsDefinition(start_date="2026-01-05", timezone="UTC", day_offset=1)
    assert Window.of(week.time_window_for_partition_key("2026-02-09")) == Window(
        date(2026, 2, 9), date(2026, 2, 16)
    )


def test_a_bound_that_is_not_a_utc_midnight_is_refused():
    with pytest.raises(ValueError, match="not a UTC midnight"):
        utc_day(datetime(2026, 1, 2, 1, tzinfo=UTC))
    assert utc_day(datetime(2026, 1, 2)) == date(2026, 1, 2)  # naive: read as UTC


def test_the_window_reaches_dbt_as_two_environment_variables():
    assert Window(date(2026, 5, 30), date(2026, 6, 3)).dbt_env() == {
        "ANALYTICS_WINDOW_START": "2026-05-30",
        "ANALYTICS_WINDOW_END": "2026-06-03",
    }
