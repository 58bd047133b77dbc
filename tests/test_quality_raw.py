"""The raw layer's warning suites: each reads its own table's share of quarantined rows.

Every raw table gets 100 rows on 2026-01-05 and the table of contract position i gets i
of them quarantined (0 to 18): a share of i %. The threshold is 1 %, so the tables at
positions 0 and 1 pass and every other one warns, and its sample tells which table's
count the suite read (no two tables have the same). Quarantined rows of the 04 and the
06 are outside the validated partition.
"""

from __future__ import annotations

import pytest
from psycopg import sql
from support.databases import pick_server
from support.quality import create_relation, day_window, insert, run
from support.raw_tables import create_raw_tables

from analytics_assets.db import connect
from analytics_assets.source.tables import source_tables

TABLES = list(source_tables())


@pytest.fixture(scope="module")
def warehouse(request):
    from support.databases import scratch_database

    with scratch_database(pick_server(request)) as url:
        with connect(url) as conn:
            create_raw_tables(conn)
            for table in TABLES:
                conn.execute(
                    sql.SQL(
                        "insert into raw.{} (_partition) select '2026-01-05' "
                        "from generate_series(1, 100)"
                    ).format(sql.Identifier(table))
                )
        create_relation(url, "quarantine.quarantined_rows")
        rows = [
            {
                "source_table": table,
                "source_key": str(n),
                "_partition": "2026-01-05",
                "reasons": ["invalid_enum"],
            }
            for i, table in enumerate(TABLES)
            for n in range(i)
        ]
        rows += [  # other days, for every table: never counted in the 05's share
            {"source_table": table, "source_key": "x", "_partition": day, "reasons": ["null_key"]}
            for table in TABLES
            for day in ("2026-01-04", "2026-01-06")
        ]
        insert(url, "quarantine.quarantined_rows", rows)
        yield url


@pytest.mark.parametrize(("position", "table"), list(enumerate(TABLES)))
def test_each_raw_suite_warns_on_its_own_tables_share(warehouse, position, table):
    result = run(f"raw_{table}", warehouse, day_window("2026-01-05"))

    assert result.passed  # a warning never fails a suite
    assert result.critical_failures == []
    if position <= 1:  # 0 % and 1 %: at most the threshold
        assert result.warnings == []
        return
    [warning] = result.warnings
    assert warning.severity == "warning"
    assert warning.expectation == "share of quarantined rows per partition at most 0.01"
    assert warning.unexpected_count == 1  # one partition over the threshold
    assert warning.sample == [
        {
            "_partition": "2026-01-05",
            "raw_rows": 100,
            "quarantined_rows": position,
            "bad_share": position / 100,
        }
    ]
