"""The load window and its SQL, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from analytics_assets.raw.window import (
    Window,
    day_label,
    partition_expression,
    window_from_datetimes,
    window_predicate,
)

FIRST = date(2026, 1, 1)


def test_days_and_last_day_of_a_half_open_window():
    w = Window(date(2026, 1, 30), date(2026, 2, 2), FIRST)
    assert w.days == (date(2026, 1, 30), date(2026, 1, 31), date(2026, 2, 1))
    assert w.last_day == date(2026, 2, 1)
    assert w.label() == "[2026-01-30, 2026-02-02)"
    assert day_label(date(2026, 2, 28)) == "[2026-02-28, 2026-03-01)"


def test_only_a_window_starting_on_the_first_partition_takes_older_rows():
    assert Window(FIRST, date(2026, 1, 2), FIRST).takes_older_rows
    assert Window(FIRST, date(2026, 3, 1), FIRST).takes_older_rows
    assert not Window(date(2026, 1, 2), date(2026, 1, 3), FIRST).takes_older_rows


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 1, 3), date(2026, 1, 3)),
        (date(2026, 1, 3), date(2026, 1, 2)),
        (date(2025, 12, 31), date(2026, 1, 2)),
    ],
)
def test_empty_windows_and_windows_before_the_first_partition_are_refused(start, end):
    with pytest.raises(ValueError):
        Window(start, end, FIRST)


def test_window_of_a_dagster_time_window_is_read_in_utc():
    # Dagster hands UTC datetimes; the same instants in another zone must give the same days.
    plus_five = timezone(timedelta(hours=5))
    start = datetime(2026, 1, 2, 5, tzinfo=plus_five)  # 2026-01-02 00:00 UTC
    end = datetime(2026, 1, 4, 5, tzinfo=plus_five)
    assert window_from_datetimes(start, end, FIRST) == Window(
        date(2026, 1, 2), date(2026, 1, 4), FIRST
    )
    assert window_from_datetimes(
        datetime(2026, 1, 2, tzinfo=UTC), datetime(2026, 1, 3, tzinfo=UTC), FIRST
    ).days == (date(2026, 1, 2),)


def test_predicate_of_a_later_window_is_the_half_open_range_only():
    text = window_predicate("occurred_at", Window(date(2026, 1, 2), date(2026, 1, 4), FIRST))
    assert text.as_string() == (
        "(\"occurred_at\" >= '2026-01-02 00:00:00+00'::timestamptz "
        "and \"occurred_at\" < '2026-01-04 00:00:00+00'::timestamptz)"
    )


def test_predicate_of_the_first_window_adds_older_and_undated_rows():
    text = window_predicate("updated_at", Window(FIRST, date(2026, 1, 2), FIRST)).as_string()
    assert text == (
        "((\"updated_at\" >= '2026-01-01 00:00:00+00'::timestamptz "
        "and \"updated_at\" < '2026-01-02 00:00:00+00'::timestamptz) "
        "or \"updated_at\" < '2026-01-01 00:00:00+00'::timestamptz "
        'or "updated_at" is null)'
    )


def test_partition_expression_is_the_utc_day_never_before_the_first_partition():
    assert partition_expression("occurred_at", FIRST).as_string() == (
        "greatest((\"occurred_at\" at time zone 'UTC')::date, '2026-01-01'::date)"
    )
