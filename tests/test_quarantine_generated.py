"""The demo generator and staging agree on the bad rows: a generated source, staged by the
real raw loader, ends with exactly the injected bad rows in quarantine, each under the
kind the generator injected, and with nothing else there.

The generator counts what it injects (report.bad_rows); nothing here is read from the
quarantine to compute what is expected.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from support.databases import scratch_database
from support.dbt import Dbt

from analytics_assets.db import connect
from analytics_assets.raw.loader import load_window
from analytics_assets.source.tables import source_tables
from analytics_assets.window import Window
from demo_source.generator import GenerationReport, GenerationSpec, generate

END = date(2026, 6, 30)
DAYS = 14


@pytest.fixture(scope="module")
def staged(
    local_server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, GenerationReport]]:
    with scratch_database(local_server_url) as source, scratch_database(local_server_url) as wh:
        report = generate(
            source, GenerationSpec(users=300, days=DAYS, end=END, seed=11, bad_rate=0.05)
        )
        start = END - timedelta(days=DAYS - 1)
        # One window over every generated day; the first partition also takes older rows.
        window = Window(start, END + timedelta(days=1))
        for table in source_tables().values():
            load_window(source, wh, table, window, start)
        Dbt(wh, tmp_path_factory.mktemp("dbt")).build("path:models/staging")
        yield wh, report


def test_every_injected_bad_row_is_quarantined_under_its_kind(
    staged: tuple[str, GenerationReport],
) -> None:
    url, report = staged
    assert sum(report.bad_rows.values()) > 100
    with connect(url) as conn:
        found = {
            (table, reason): count
            for table, reason, count in conn.execute(
                "select source_table, reason, sum(rejected_rows)::int "
                "from quarantine.quarantine_summary group by 1, 2"
            ).fetchall()
        }
    assert found == report.bad_rows


def test_each_injected_bad_row_is_one_quarantined_row(staged: tuple[str, GenerationReport]) -> None:
    url, report = staged
    expected: dict[str, int] = {}
    for (table, _), count in report.bad_rows.items():
        expected[table] = expected.get(table, 0) + count
    with connect(url) as conn:
        found = dict(
            conn.execute(
                "select source_table, count(*)::int from quarantine.quarantined_rows group by 1"
            ).fetchall()
        )
        balanced = conn.execute(
            "select bool_and(is_balanced), count(*) from quarantine.row_reconciliation"
        ).fetchone()
    assert found == expected
    assert balanced == (True, balanced[1]) and balanced[1] > 0
