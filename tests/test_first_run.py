"""The first run of a range that starts long after ANALYTICS_START_DATE, on an empty
warehouse: the reference rows dated before the range still reach staging (mutable tables
catch up by their change cursor), and a run whose rows are mostly rejected for one reason
fails and says why.

The real pipeline (`run_range`: Dagster, the raw loader, dbt, the checks) on a real
PostgreSQL; the datasets are written here by hand.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from support.raw import fetch, insert

from analytics_assets.runner import run_range

# Whole runs of the pipeline, minutes together: `make test-long` (the loader's catch-up has
# its own quick test in test_raw_loader.py).
pytestmark = pytest.mark.long

DAY = date(2026, 3, 30)
USERS = 12


def _at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def dbs(env, monkeypatch):
    """conftest's `env`, with the rows of the range's day and before it."""
    dbs = env
    monkeypatch.delenv("ANALYTICS_START_DATE", raising=False)  # the default: 2026-01-01
    monkeypatch.delenv("ANALYTICS_QUARANTINE_MAX_SHARE", raising=False)
    # Users and content written in January, long before the range; attempts on its day.
    insert(
        dbs.source,
        "users",
        [
            {
                "id": n,
                "email": f"u{n}@example.org",
                "role": "student",
                "created_at": _at(1, 5),
                "updated_at": _at(1, 5),
            }
            for n in range(1, USERS + 1)
        ],
    )
    insert(
        dbs.source,
        "content",
        [
            {
                "id": n,
                "title": f"course {n}",
                "kind": "course",
                "difficulty": "beginner",
                "created_at": _at(1, 10),
                "updated_at": _at(1, 10),
            }
            for n in (1, 2, 3)
        ],
    )
    _attempts(dbs.source, range(1, USERS + 1), content=lambda n: 1 + n % 3)
    return dbs


def _attempts(url, ids, content) -> None:
    insert(
        url,
        "practice_attempts",
        [
            {
                "id": n,
                "user_id": 1 + (n - 1) % USERS,
                "content_id": content(n),
                "status": "completed",
                "score": 80,
                "duration_seconds": 600,
                "started_at": _at(3, 30, 10),
                "finished_at": _at(3, 30, 11),
                "updated_at": _at(3, 30, 11),
            }
            for n in ids
        ],
    )


def test_reference_rows_before_the_range_are_staged_by_its_first_run(dbs):
    summary = run_range(DAY, date(2026, 3, 31))

    assert summary.success, summary.render()
    quarantined = fetch(
        dbs.warehouse,
        "select source_table, reasons from quarantine.quarantined_rows order by 1",
    )
    assert quarantined == []
    staged = fetch(
        dbs.warehouse,
        "select (select count(*) from staging.stg_users), "
        "(select count(*) from staging.stg_content), "
        "(select count(*) from staging.stg_practice_attempts)",
    )
    assert staged == [(USERS, 3, USERS)]


def test_a_run_that_rejects_a_large_share_for_one_reason_fails_and_says_why(dbs, monkeypatch):
    # 18 more attempts of a course the source never had: 18 of 30 rows are orphans (60%).
    _attempts(dbs.source, range(USERS + 1, USERS + 19), content=lambda n: 99)

    summary = run_range(DAY, date(2026, 3, 31))

    assert not summary.success
    assert "staging/stg_practice_attempts:quarantine_share (blocking)" in summary.failed_checks
    rendered = summary.render()
    assert "18 of 30 practice_attempts rows (60%) quarantined as orphan_fk" in rendered
    assert "likely cause: their parent rows are not in staging" in rendered
    # The other tables are within the share: only this one fails.
    assert [c for c in summary.failed_checks if "quarantine_share" in c] == [
        "staging/stg_practice_attempts:quarantine_share (blocking)"
    ]

    # The threshold is a setting: at 70% the same data passes.
    monkeypatch.setenv("ANALYTICS_QUARANTINE_MAX_SHARE", "0.7")
    assert run_range(DAY, date(2026, 3, 31)).success
