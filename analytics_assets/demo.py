"""`analytics demo`: a demo source, the whole pipeline over it, and a short report.

The report reads only what the run left in the warehouse (counts and a few metric rows,
all computed in SQL), so it tells the truth about the tables a BI tool would see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import psycopg

from analytics_assets.db import connect
from analytics_assets.grains import DAILY, MONTHLY

HEADLINES = (
    # label, metric_type, grain, data key
    ("DAU (last day)", "engagement.active_users", DAILY.unit, "active_users"),
    ("MAU (last day)", "engagement.active_users", DAILY.unit, "mau"),
    ("NPS (last month)", "nps.summary", MONTHLY.unit, "nps"),
)


@dataclass(frozen=True)
class DemoReport:
    layer_rows: dict[str, int]
    quarantine: list[tuple[str, str, int]]
    """(source table, reason, rows)."""
    checks: dict[str, int]
    """passed / warned / failed check results recorded by the run."""
    headlines: list[tuple[str, str]]

    def render(self) -> str:
        lines = ["", "rows per layer"]
        lines += [f"  {layer:<12}{rows:>12,}" for layer, rows in self.layer_rows.items()]
        if self.checks:
            lines += [
                "",
                "checks: " + ", ".join(f"{n} {state}" for state, n in self.checks.items()),
            ]
        if self.quarantine:
            lines += ["", "quarantined rows by reason"]
            lines += [
                f"  {table:<24}{reason:<24}{rows:>8,}" for table, reason, rows in self.quarantine
            ]
        if self.headlines:
            lines += ["", "headline metrics"]
            lines += [f"  {label:<36}{_number(value)}" for label, value in self.headlines]
        lines += ["", "open the Dagster UI on this instance: analytics ui  (or make ui)"]
        return "\n".join(lines)


def _number(value: str) -> str:
    """JSON numbers as a reader wants them: rates to four decimals, counts as they are."""
    try:
        number = float(value)
    except ValueError:
        return value
    if number.is_integer():
        return f"{number:,.0f}"
    return f"{number:,.2f}" if abs(number) >= 1 else f"{number:.4f}"


def _schema_rows(conn: psycopg.Connection, schema: str, kinds: str = "r") -> int:
    """Sum of exact row counts of the schema's tables (views counted when kinds has 'v')."""
    names = conn.execute(
        "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = %s and c.relkind = any(%s) order by 1",
        (schema, list(kinds)),
    ).fetchall()
    total = 0
    for (name,) in names:
        row = conn.execute(f'select count(*) from "{schema}"."{name}"').fetchone()
        total += row[0] if row else 0
    return total


def _exists(conn: psycopg.Connection, relation: str) -> bool:
    row = conn.execute("select to_regclass(%s) is not null", (relation,)).fetchone()
    return bool(row and row[0])


def build_report(warehouse_url: str, run_ids: list[str], last_day: date) -> DemoReport:
    with connect(warehouse_url) as conn:
        layers = {
            "raw": _schema_rows(conn, "raw"),
            "quarantine": 0,
            "marts": _schema_rows(conn, "marts"),
            "analytics": 0,
        }
        quarantine: list[tuple[str, str, int]] = []
        if _exists(conn, "quarantine.quarantine_summary"):
            quarantine = [
                (t, r, int(n))
                for t, r, n in conn.execute(
                    "select source_table, reason, sum(rejected_rows) from "
                    "quarantine.quarantine_summary group by 1, 2 order by 1, 2"
                )
            ]
            row = conn.execute("select count(*) from quarantine.quarantined_rows").fetchone()
            layers["quarantine"] = row[0] if row else 0
        if _exists(conn, "analytics.analytics_aggregates"):
            row = conn.execute("select count(*) from analytics.analytics_aggregates").fetchone()
            layers["analytics"] = row[0] if row else 0
        checks: dict[str, int] = {}
        if run_ids and _exists(conn, "quality.check_results"):
            for state, n in conn.execute(
                "select case when success then 'passed' when severity = 'critical' "
                "then 'failed' else 'warned' end, count(*) from quality.check_results "
                "where run_id = any(%s) group by 1 order by 1",
                (run_ids,),
            ):
                checks[state] = n
        headlines = _headlines(conn, last_day) if layers["analytics"] else []
    return DemoReport(layers, quarantine, checks, headlines)


def _headlines(conn: psycopg.Connection, last_day: date) -> list[tuple[str, str]]:
    month = last_day.replace(day=1)
    buckets = {DAILY.unit: last_day, MONTHLY.unit: month}
    out = []
    for label, metric, grain, key in HEADLINES:
        row = conn.execute(
            "select data ->> %s from analytics.analytics_aggregates where metric_type = %s "
            "and grain = %s and time_bucket = %s and dimension = ''",
            (key, metric, grain, buckets[grain]),
        ).fetchone()
        out.append((label, row[0] if row and row[0] is not None else "n/a"))
    cohort = last_day - timedelta(days=14)
    row = conn.execute(
        "select data ->> 'd7_rate' from analytics.analytics_aggregates where metric_type = "
        "'retention.cohort' and grain = 'day' and time_bucket = %s and dimension = ''",
        (cohort,),
    ).fetchone()
    out.append((f"D7 retention (cohort {cohort})", row[0] if row and row[0] else "n/a"))
    for currency, net in conn.execute(
        "select dimension, data ->> 'net_revenue' from analytics.analytics_aggregates "
        "where metric_type = 'revenue.summary' and grain = 'month' and time_bucket = %s "
        "order by dimension",
        (month,),
    ):
        out.append((f"net revenue {month:%Y-%m} {currency}", net))
    return out
