"""Does a live table still match the source contract? Checked before every load.

The binary COPY relies on the source and raw columns having the very same types; a
source whose column went missing or changed type must stop the load with a message
naming the table and column, before anything in raw is touched.
"""

from __future__ import annotations

import re

import psycopg

from analytics_assets.source.tables import SOURCE_SCHEMA, SourceTable

# PostgreSQL's short spellings -> the names format_type() prints.
_ALIASES = {
    "timestamptz": "timestamp with time zone",
    "timestamp": "timestamp without time zone",
    "timetz": "time with time zone",
    "time": "time without time zone",
    "char": "character",
    "bpchar": "character",
    "varchar": "character varying",
    "int": "integer",
    "int4": "integer",
    "int8": "bigint",
    "int2": "smallint",
    "bool": "boolean",
    "float8": "double precision",
    "float4": "real",
    "decimal": "numeric",
}
_TYPE = re.compile(r"^\s*(?P<base>[a-z0-9_ ]+?)\s*(?P<args>\([0-9, ]+\))?\s*(?P<array>(\[\])*)\s*$")


class ContractDrift(RuntimeError):
    """A live table does not match the contract; the message names table and column."""


def normalize_type(spelling: str) -> str:
    """The canonical (format_type) spelling of a column type: 'char(2)' -> 'character(2)'."""
    match = _TYPE.match(spelling.lower())
    if match is None:
        return " ".join(spelling.lower().split())
    base = " ".join(match["base"].split())
    base = _ALIASES.get(base, base)
    args = (match["args"] or "").replace(" ", "")
    return f"{base}{args}{match['array']}"


def drift(expected: list[tuple[str, str]], actual: list[tuple[str, str]]) -> list[str]:
    """What is wrong with `actual` (name, type) columns, compared with `expected`.

    Extra columns in `actual` are fine (a new source column is not read); a missing column
    or a changed type is not.
    """
    live = {name: normalize_type(type_) for name, type_ in actual}
    problems = []
    for name, type_ in expected:
        want = normalize_type(type_)
        if name not in live:
            problems.append(f"column {name} ({want}) is missing")
        elif live[name] != want:
            problems.append(f"column {name} has type {live[name]}, the contract says {want}")
    return problems


def live_columns(conn: psycopg.Connection, schema: str, table: str) -> list[tuple[str, str]]:
    """(name, type) of a table's columns in order; empty when the table does not exist."""
    rows = conn.execute(
        """
        select a.attname, format_type(a.atttypid, a.atttypmod)
        from pg_attribute a
        join pg_class c on c.oid = a.attrelid
        join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = %s and c.relname = %s and a.attnum > 0 and not a.attisdropped
        order by a.attnum
        """,
        (schema, table),
    ).fetchall()
    return [(name, type_) for name, type_ in rows]


def check_source(conn: psycopg.Connection, table: SourceTable) -> None:
    """Raise ContractDrift unless app.<table> has every contract column with its type."""
    actual = live_columns(conn, SOURCE_SCHEMA, table.name)
    where = f"source table {SOURCE_SCHEMA}.{table.name}"
    if not actual:
        raise ContractDrift(f"{where} does not exist")
    problems = drift([(c.name, c.type) for c in table.columns], actual)
    if problems:
        raise ContractDrift(f"{where} no longer matches the contract: {'; '.join(problems)}")


def check_raw(
    conn: psycopg.Connection,
    schema: str,
    table: SourceTable,
    bookkeeping: tuple[tuple[str, str], ...],
) -> None:
    """Raise ContractDrift unless the raw table has exactly the contract's layout, in order
    (a raw table made under an older contract has to be rebuilt, not silently mixed)."""
    expected = [(c.name, normalize_type(c.type)) for c in table.columns]
    expected += [(name, normalize_type(spec.split()[0])) for name, spec in bookkeeping]
    live = live_columns(conn, schema, table.name)
    actual = [(name, normalize_type(type_)) for name, type_ in live]
    if actual != expected:
        problems = drift(expected, actual) or ["its columns are not in contract order"]
        extra = sorted({name for name, _ in actual} - {name for name, _ in expected})
        problems += [f"column {name} is not in the contract" for name in extra]
        raise ContractDrift(
            f"warehouse table {schema}.{table.name} does not have the raw layout: "
            f"{'; '.join(problems)}; drop it and load its partitions again"
        )
