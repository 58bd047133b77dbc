"""Fingerprints of a warehouse's schemas (no tests here): row counts and digests of every
table, to compare two warehouses or one before and after a run."""

from __future__ import annotations

from analytics_assets.db import connect


def fingerprint(
    url: str, schema: str, tables_like: str = "%", ignore: tuple[str, ...] = ()
) -> dict[str, tuple[int, str]]:
    """Row count and md5 of the sorted rows of every table of a schema (names matching
    `tables_like`), less the columns in `ignore`."""
    drop = "".join(f" - '{column}'" for column in ignore)
    with connect(url) as conn:
        names = [
            n
            for (n,) in conn.execute(
                "select table_name from information_schema.tables "
                "where table_schema = %s and table_name like %s order by table_name",
                (schema, tables_like),
            ).fetchall()
        ]
        return {
            name: conn.execute(
                "select count(*), coalesce(md5(string_agg(r, '|' order by r)), '') from "
                f"(select (to_jsonb(t){drop})::text as r from {schema}.{name} as t) as rows"
            ).fetchone()
            for name in names
        }


def marts_fingerprint(url: str) -> dict[str, tuple[int, str]]:
    """Every table and view in schemas marts and intermediate."""
    return fingerprint(url, "marts") | fingerprint(url, "intermediate")
