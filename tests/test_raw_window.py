"""The load window's SQL, without a database."""

from __future__ import annotations

from datetime import date

from analytics_assets.raw.window import partition_expression, takes_older_rows, window_predicate
from analytics_assets.window import Window

FIRST = date(2026, 1, 1)


def test_only_a_window_starting_on_the_first_partition_takes_older_rows():
    assert takes_older_rows(Window(FIRST, date(2026, 1, 2)), FIRST)
    assert takes_older_rows(Window(FIRST, date(2026, 3, 1)), FIRST)
    assert not takes_older_rows(Window(date(2026, 1, 2), date(2026, 1, 3)), FIRST)


def test_predicate_of_a_later_window_is_the_half_open_range_only():
    window = Window(date(2026, 1, 2), date(2026, 1, 4))
    assert window_predicate("occurred_at", window, FIRST).as_string() == (
        "(\"occurred_at\" >= '2026-01-02 00:00:00+00'::timestamptz "
        "and \"occurred_at\" < '2026-01-04 00:00:00+00'::timestamptz)"
    )


def test_predicate_of_the_first_window_adds_older_and_undated_rows():
    text = window_predicate("updated_at", Window(FIRST, date(2026, 1, 2)), FIRST).as_string()
    assert text == (
        "((\"updated_at\" >= '2026-01-01 00:00:00+00'::timestamptz "
        "and \"updated_at\" < '2026-01-02 00:00:00+00'::timestamptz) "
        "or \"updated_at\" < '2026-01-01 00:00:00+00'::timestamptz "
        'or "updated_at" is null)'
    )


def test_a_catch_up_adds_the_older_rows_newer_than_what_raw_holds():
    window = Window(date(2026, 1, 5), date(2026, 1, 6))
    none_held = window_predicate("updated_at", window, FIRST, catch_up=True).as_string()
    assert 'or "updated_at" is null' in none_held
    held = window_predicate(
        "updated_at", window, FIRST, catch_up=True, held_until=date(2026, 1, 3)
    ).as_string()
    assert "\"updated_at\" > '2026-01-03'::date" in held
    assert "is null" not in held


def test_partition_expression_is_the_utc_day_never_before_the_first_partition():
    assert partition_expression("occurred_at", FIRST).as_string() == (
        "greatest((\"occurred_at\" at time zone 'UTC')::date, '2026-01-01'::date)"
    )
