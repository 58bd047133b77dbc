"""The source contract as data: every operational table, its columns, key and load rule.

One description serves the DDL of the demo source, the generator, the raw loader and the
schema check, so a column added to the contract is added in one place.

The enumerations (the values a status, role, plan... may hold) are declared once, in
dbt_project.yml (vars.source_enums), because dbt can read no other file when it parses:
its checked staging models and the marts' accepted_values tests read them there
(macros/utils/source_enum.sql), and this module loads the same block into Column.values,
for the demo generator and the GX suites. No other place lists them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import yaml

from analytics_assets.settings import DBT_PROJECT_DIR

ENUMS_FILE = DBT_PROJECT_DIR / "dbt_project.yml"
"""Where the enumerations are declared: vars.source_enums, table -> column -> values."""
ENUMS_VAR = "source_enums"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    values: tuple[str, ...] = ()
    """The values an enumeration may hold, in the contract's order; () when the column is
    not an enumeration. (A source may still send others: staging quarantines them.)"""


@dataclass(frozen=True)
class SourceTable:
    """One table of schema `app`.

    `mutable` tables are upserted by `key` keeping the newest `updated_at`; append-only
    tables replace their partition window. `window_column` is the time that places a row
    in a daily partition: the event time of append-only rows, `updated_at` of mutable ones.
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    mutable: bool
    window_column: str
    description: str

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column_type(self, name: str) -> str:
        return self.column(name).type

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name}.{name} is no column of the source contract")


def _cols(spec: str) -> tuple[Column, ...]:
    """Parse 'name type, name type' into columns (a comma inside parentheses, as in
    numeric(5,2), belongs to the type)."""
    out = []
    for part in re.split(r",(?![^()]*\))", spec):
        name, _, type_ = part.strip().partition(" ")
        out.append(Column(name, type_.strip()))
    return tuple(out)


_TABLES = (
    SourceTable(
        "users",
        _cols(
            "id bigint, email text, full_name text, role text, country_code char(2), city text, "
            "is_verified boolean, created_at timestamptz, updated_at timestamptz, "
            "last_login_at timestamptz, deleted_at timestamptz"
        ),
        ("id",),
        True,
        "updated_at",
        "Platform accounts: students, mentors and internal admins; soft-deleted by deleted_at.",
    ),
    SourceTable(
        "subscriptions",
        _cols(
            "id bigint, user_id bigint, plan text, price_cents integer, currency char(3), "
            "status text, started_at timestamptz, ended_at timestamptz, updated_at timestamptz"
        ),
        ("id",),
        True,
        "updated_at",
        "Paid plans (monthly or annual) with their lifecycle: active, cancelled, expired.",
    ),
    SourceTable(
        "payments",
        _cols(
            "id bigint, user_id bigint, subscription_id bigint, kind text, amount_cents integer, "
            "currency char(3), status text, created_at timestamptz"
        ),
        ("id",),
        False,
        "created_at",
        "Money movements; a refund is its own row with status refunded.",
    ),
    SourceTable(
        "app_sessions",
        _cols(
            "id uuid, user_id bigint, device_type text, started_at timestamptz, "
            "ended_at timestamptz, country_code char(2), city text, ip_address inet, "
            "updated_at timestamptz"
        ),
        ("id",),
        True,
        "updated_at",
        "Web and app sessions; mutable until ended.",
    ),
    SourceTable(
        "events",
        _cols(
            "id bigint, user_id bigint, session_id uuid, event_type text, event_name text, "
            "page_url text, properties jsonb, occurred_at timestamptz, received_at timestamptz"
        ),
        ("id",),
        False,
        "occurred_at",
        "Product analytics events; may arrive days after they happened (received_at).",
    ),
    SourceTable(
        "content",
        _cols(
            "id bigint, kind text, title text, difficulty text, skill_area text, mentor_id bigint, "
            "is_published boolean, created_at timestamptz, updated_at timestamptz"
        ),
        ("id",),
        True,
        "updated_at",
        "Courses, practice scenarios and exams.",
    ),
    SourceTable(
        "enrollments",
        _cols(
            "id bigint, user_id bigint, content_id bigint, enrolled_at timestamptz, "
            "progress_pct numeric(5,2), completed_at timestamptz, updated_at timestamptz"
        ),
        ("id",),
        True,
        "updated_at",
        "A student's enrollment in a course and their progress through it.",
    ),
    SourceTable(
        "practice_attempts",
        _cols(
            "id bigint, user_id bigint, content_id bigint, started_at timestamptz, "
            "finished_at timestamptz, status text, score numeric(5,2), duration_seconds integer, "
            "updated_at timestamptz"
        ),
        ("id",),
        True,
        "updated_at",
        "Attempts at practice scenarios and exams, with a score when completed.",
    ),
    SourceTable(
        "mentor_sessions",
        _cols(
            "id bigint, mentor_id bigint, student_id bigint, scheduled_at timestamptz, "
            "status text, duration_minutes integer, price_cents integer, currency char(3), "
            "created_at timestamptz, updated_at timestamptz"
        ),
        ("id",),
        True,
        "updated_at",
        "Booked mentoring sessions between a mentor and a student.",
    ),
    SourceTable(
        "reviews",
        _cols(
            "id bigint, user_id bigint, content_id bigint, mentor_id bigint, rating smallint, "
            "body text, created_at timestamptz"
        ),
        ("id",),
        False,
        "created_at",
        "Ratings of a piece of content or of a mentor (exactly one of the two).",
    ),
    SourceTable(
        "nps_responses",
        _cols("id bigint, user_id bigint, score smallint, comment text, created_at timestamptz"),
        ("id",),
        False,
        "created_at",
        "Net Promoter Score survey answers (0-10).",
    ),
    SourceTable(
        "experiments",
        _cols(
            "id bigint, key text, name text, variants text[], traffic_split jsonb, "
            "goal_event text, started_at timestamptz, ended_at timestamptz, updated_at timestamptz"
        ),
        ("id",),
        True,
        "updated_at",
        "A/B experiments: variants (first is control), traffic split and goal event.",
    ),
    SourceTable(
        "experiment_assignments",
        _cols("experiment_id bigint, user_id bigint, variant text, assigned_at timestamptz"),
        ("experiment_id", "user_id"),
        False,
        "assigned_at",
        "Which variant of an experiment each user was assigned to.",
    ),
    SourceTable(
        "communities",
        _cols(
            "id bigint, name text, is_geo_restricted boolean, allowed_countries text[], "
            "created_at timestamptz, updated_at timestamptz"
        ),
        ("id",),
        True,
        "updated_at",
        "Communities; some are restricted to a list of countries.",
    ),
    SourceTable(
        "community_memberships",
        _cols(
            "community_id bigint, user_id bigint, joined_at timestamptz, left_at timestamptz, "
            "updated_at timestamptz"
        ),
        ("community_id", "user_id"),
        True,
        "updated_at",
        "Who belongs to which community, and when they joined and left.",
    ),
    SourceTable(
        "community_activity",
        _cols(
            "id bigint, community_id bigint, user_id bigint, activity_type text, "
            "occurred_at timestamptz"
        ),
        ("id",),
        False,
        "occurred_at",
        "Views, posts, comments, likes and shares inside communities.",
    ),
    SourceTable(
        "geo_access_attempts",
        _cols(
            "id bigint, user_id bigint, community_id bigint, country_code char(2), region text, "
            "city text, result text, is_traveler boolean, occurred_at timestamptz"
        ),
        ("id",),
        False,
        "occurred_at",
        "Attempts to open a geo-restricted community, allowed or blocked.",
    ),
    SourceTable(
        "error_logs",
        _cols(
            "id bigint, user_id bigint, level text, message text, stack_trace text, url text, "
            "method text, status_code integer, ip_address inet, user_agent text, "
            "occurred_at timestamptz, resolved_at timestamptz, updated_at timestamptz"
        ),
        ("id",),
        True,
        "updated_at",
        "Application errors; mutable when resolved.",
    ),
    SourceTable(
        "api_requests",
        _cols(
            "id bigint, method text, path text, status_code integer, response_ms numeric(10,2), "
            "user_id bigint, occurred_at timestamptz"
        ),
        ("id",),
        False,
        "occurred_at",
        "API requests with status and latency; the largest table after events.",
    ),
)

SOURCE_SCHEMA = "app"


def load_enums(path: Path = ENUMS_FILE) -> dict[str, dict[str, tuple[str, ...]]]:
    """table -> column -> allowed values, as declared in the dbt project file at `path`."""
    declared = yaml.safe_load(path.read_text())["vars"][ENUMS_VAR]
    enums = {
        table: {column: tuple(values) for column, values in columns.items()}
        for table, columns in declared.items()
    }
    for table, columns in enums.items():
        for column, values in columns.items():
            # YAML reads a bare yes, on or 1 as no string: quote such a value.
            if not all(isinstance(v, str) for v in values):
                raise ValueError(f"{ENUMS_VAR}: {table}.{column} holds a value that is no string")
    return enums


def with_enums(
    tables: tuple[SourceTable, ...], enums: dict[str, dict[str, tuple[str, ...]]]
) -> dict[str, SourceTable]:
    """The tables with each enumeration set on its column; an enumeration of a table or
    column the contract does not have, or of a column that is not text, is an error."""
    by_name = {t.name: t for t in tables}
    for table, columns in enums.items():
        if table not in by_name:
            raise ValueError(f"{ENUMS_VAR}: {table} is no table of the source contract")
        for column, values in columns.items():
            if column not in by_name[table].column_names:
                raise ValueError(f"{ENUMS_VAR}: {table}.{column} is no column of the contract")
            if by_name[table].column_type(column) != "text" or not values:
                raise ValueError(f"{ENUMS_VAR}: {table}.{column} is not a text enumeration")
    return {
        t.name: replace(
            t,
            columns=tuple(
                replace(c, values=enums.get(t.name, {}).get(c.name, ())) for c in t.columns
            ),
        )
        for t in tables
    }


@cache
def source_tables() -> dict[str, SourceTable]:
    """Every table of the source contract, by name, in dependency-friendly order."""
    return with_enums(_TABLES, load_enums())


def enum_values(table: str, column: str) -> tuple[str, ...]:
    """The values the contract allows in table.column (an enumeration)."""
    values = source_tables()[table].column(column).values
    if not values:
        raise KeyError(f"{table}.{column} is not an enumeration of the source contract")
    return values


def create_table_sql(table: SourceTable, schema: str = SOURCE_SCHEMA) -> str:
    """DDL with column types only: a demo source must be able to hold every bad row."""
    cols = ",\n  ".join(f"{c.name} {c.type}" for c in table.columns)
    return f"create table if not exists {schema}.{table.name} (\n  {cols}\n)"
