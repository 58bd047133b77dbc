"""Bad rows: copies of good rows, each given exactly one defect of a kind in BAD_ROW_KINDS.

A bad row is added next to the good rows (never replacing one), with a key of its own
(except a duplicate_key row, which repeats a good row exactly, and a null_key row), so no
good row's foreign keys are broken by it. Its window column (the time that places it in
a daily partition) is never touched: every bad row stays inside the generated period,
on the same day as the row it copies.

`DEFECTS` lists, per table, the kinds that apply there and how each is made
(`defect_catalog()` prints it); staging's quarantine rules must catch each one with the
kind as its reason. Invalid values stay invalid under any normalisation (no case or
whitespace variants of valid ones), except the country codes the contract names ('us').
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from analytics_assets.source.tables import source_tables
from demo_source import frame as fr
from demo_source.scenario import DAY, HOUR, Streams
from demo_source.sessions import uuid4_hex
from demo_source.vocab import BAD_COUNTRY_CODES

ORPHAN_BASE = 900_000_000
"""Foreign keys of orphan rows point at ids from here on (one each); no table gets that
large."""
_ANCIENT = (
    int(datetime(2005, 1, 1, tzinfo=UTC).timestamp()),
    int(datetime(2014, 12, 1, tzinfo=UTC).timestamp()),
)

Apply = Callable[[fr.Frame, np.random.Generator, "Context"], fr.Frame]
Eligible = Callable[[fr.Frame], np.ndarray]


class KeySequence:
    """The next free id of a table (bad rows take ids after the good ones)."""

    def __init__(self, start: int = 1) -> None:
        self.next = start

    def take(self, n: int) -> np.ndarray:
        ids = np.arange(self.next, self.next + n, dtype=np.int64)
        self.next += n
        return ids


@dataclass
class Context:
    """What some defects need to know about the good data (and the keys bad rows took)."""

    users: int
    mentor_ids: np.ndarray
    pairs: dict[str, np.ndarray] = field(default_factory=dict)
    """Per composite-key table, the taken (first key * (users + 1) + user_id) codes, sorted."""
    orphans: KeySequence = field(default_factory=lambda: KeySequence(ORPHAN_BASE))
    """Ids no row has, handed out once each (two orphan copies never share a key)."""

    def free_users(self, table: str, first: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """For each first key value, a user id not yet paired with it, nor with another
        row of this call (0 where none was found); the pairs are taken from then on."""
        taken = self.pairs.get(table, np.zeros(0, np.int64))
        out = np.zeros(len(first), np.int64)
        for _ in range(20):
            todo = np.flatnonzero(out == 0)
            if len(todo) == 0:
                break
            guess = rng.integers(1, self.users + 1, len(todo))
            code = first[todo] * (self.users + 1) + guess
            _, once = np.unique(code, return_index=True)
            fresh = np.zeros(len(todo), bool)
            fresh[once] = True
            fresh &= ~np.isin(code, taken)
            out[todo[fresh]] = guess[fresh]
            taken = np.union1d(taken, code[fresh])
        self.pairs[table] = taken
        return out


@dataclass(frozen=True)
class Defect:
    kind: str
    how: str
    apply: Apply
    eligible: Eligible | None = None
    fresh_key: bool = True
    """The copy gets a key of its own (not for duplicates and null keys)."""


# --- building blocks -------------------------------------------------------------------------


def _all(f: fr.Frame) -> np.ndarray:
    return np.arange(len(f))


def _set(f: fr.Frame, name: str, col: fr.Col) -> fr.Frame:
    return f.with_cols(**{name: col})


def _null_key(column: str = "id") -> Defect:
    return Defect(
        "null_key",
        f"{column} is null",
        lambda f, rng, ctx: _set(f, column, f[column].set_null(_all(f))),
        fresh_key=False,
    )


_DUPLICATE = Defect(
    "duplicate_key",
    "an exact copy of a good row (same key, same day)",
    lambda f, rng, ctx: f,
    fresh_key=False,
)


def _text(kind: str, column: str, values: tuple[str, ...]) -> Defect:
    def apply(f: fr.Frame, rng: np.random.Generator, ctx: Context) -> fr.Frame:
        picked = np.array(values, dtype=object)[rng.integers(0, len(values), len(f))]
        return _set(f, column, f[column].set_text(_all(f), picked))

    return Defect(kind, f"{column} is one of {', '.join(repr(v) for v in values)}", apply)


def _number(
    kind: str, column: str, values: tuple[float, ...], eligible: Eligible | None = None
) -> Defect:
    def apply(f: fr.Frame, rng: np.random.Generator, ctx: Context) -> fr.Frame:
        picked = np.array(values)[rng.integers(0, len(values), len(f))]
        return _set(f, column, f[column].set_values(_all(f), picked))

    return Defect(kind, f"{column} is one of {values}", apply, eligible)


def _orphan(column: str, eligible: Eligible | None = None) -> Defect:
    def apply(f: fr.Frame, rng: np.random.Generator, ctx: Context) -> fr.Frame:
        if f[column].kind == "text":  # a session uuid no session has
            return _set(f, column, f[column].set_text(_all(f), uuid4_hex(rng, len(f))))
        return _set(f, column, f[column].set_values(_all(f), ctx.orphans.take(len(f))))

    return Defect("orphan_fk", f"{column} points at no row", apply, eligible)


def _either(*defects: Defect) -> Defect:
    """Each row gets one of several variants of the same kind (those it is eligible for)."""

    def apply(f: fr.Frame, rng: np.random.Generator, ctx: Context) -> fr.Frame:
        choice = rng.integers(0, len(defects), len(f))
        for i, d in enumerate(defects):
            ok = d.eligible(f) if d.eligible else np.ones(len(f), bool)
            # rows not eligible for their variant take the first variant they fit
            choice = np.where((choice == i) & ~ok, -1, choice)
        for i, d in enumerate(defects):
            ok = d.eligible(f) if d.eligible else np.ones(len(f), bool)
            choice = np.where((choice == -1) & ok, i, choice)
        for i, d in enumerate(defects):
            rows = np.flatnonzero(choice == i)
            if len(rows):
                f = _patch(f, rows, d.apply(f.take(rows), rng, ctx))
        return f

    def eligible(f: fr.Frame) -> np.ndarray:
        out = np.zeros(len(f), bool)
        for d in defects:
            out |= d.eligible(f) if d.eligible else True
        return out

    return Defect(defects[0].kind, "; or ".join(d.how for d in defects), apply, eligible)


def _patch(f: fr.Frame, rows: np.ndarray, part: fr.Frame) -> fr.Frame:
    """f with `rows` replaced by the rows of `part` (same columns)."""
    cols = {}
    for name, col in f.cols.items():
        new = part[name]
        if col.kind == "text" and new.vocab is not col.vocab:
            vocab = np.concatenate([col.vocab, new.vocab])
            col = fr.Col("text", col.values, col.null, vocab, safe=col.safe and new.safe)
            new = fr.Col(
                "text", new.values + len(col.vocab) - len(new.vocab), new.null, vocab, safe=col.safe
            )
        out = col.set_values(rows, new.values)
        null = out.is_null().copy()
        null[rows] = new.is_null()
        cols[name] = fr.Col(
            out.kind, out.values, null if null.any() else None, out.vocab, out.decimals, out.safe
        )
    return fr.Frame(cols)


def _after(
    column: str, base: str, eligible: Eligible | None = None, lo: int = HOUR, hi: int = 3 * DAY
) -> Defect:
    """column = base + (lo..hi): a time after the row was written."""

    def apply(f: fr.Frame, rng: np.random.Generator, ctx: Context) -> fr.Frame:
        when = f[base].values + rng.integers(lo, hi, len(f))
        return _set(f, column, f[column].set_values(_all(f), when))

    return Defect("future_timestamp", f"{column} after {base}", apply, eligible)


def _before(
    kind: str,
    column: str,
    base: str,
    eligible: Eligible | None = None,
    lo: int = HOUR,
    hi: int = 5 * DAY,
) -> Defect:
    """column = base - (lo..hi): an end before its start, or an arrival before the event."""

    def apply(f: fr.Frame, rng: np.random.Generator, ctx: Context) -> fr.Frame:
        when = f[base].values - rng.integers(lo, hi, len(f))
        return _set(f, column, f[column].set_values(_all(f), when))

    return Defect(kind, f"{column} before {base}", apply, eligible)


def _ancient(column: str, eligible: Eligible | None = None) -> Defect:
    def apply(f: fr.Frame, rng: np.random.Generator, ctx: Context) -> fr.Frame:
        return _set(f, column, f[column].set_values(_all(f), rng.integers(*_ANCIENT, len(f))))

    return Defect("before_platform", f"{column} in 2005-2014", apply, eligible)


def _country(column: str, eligible: Eligible | None = None) -> Defect:
    return Defect(
        "invalid_country",
        f"{column} is one of {BAD_COUNTRY_CODES}",
        _text("invalid_country", column, BAD_COUNTRY_CODES).apply,
        eligible,
    )


def _set_cond(column: str) -> Eligible:
    return lambda f: ~f[column].is_null()


def _unset_cond(column: str) -> Eligible:
    return lambda f: f[column].is_null()


def _malformed_json() -> Defect:
    return _text("malformed_json", "properties", ('"legacy payload"', "[1, 2, 3]", '["click"]'))


def _review_target() -> Defect:
    """Both content_id and mentor_id set (a real mentor and content), or neither."""

    def apply(f: fr.Frame, rng: np.random.Generator, ctx: Context) -> fr.Frame:
        rows = _all(f)
        both = (rng.random(len(f)) < 0.5) & (len(ctx.mentor_ids) > 0)
        both &= ~f["content_id"].is_null()  # a content review that also names a mentor
        neither = rows[~both]
        mentor = (
            ctx.mentor_ids[rng.integers(0, max(len(ctx.mentor_ids), 1), len(f))]
            if len(ctx.mentor_ids)
            else np.zeros(len(f), np.int64)
        )
        f = _set(f, "mentor_id", f["mentor_id"].set_values(rows[both], mentor[both]))
        f = _set(f, "mentor_id", f["mentor_id"].set_null(neither))
        return _set(f, "content_id", f["content_id"].set_null(neither))

    return Defect("invalid_review_target", "both content_id and mentor_id, or neither", apply)


def _experiment_key(f: fr.Frame, rng: np.random.Generator, ctx: Context) -> fr.Frame:
    """A copied experiment needs a key of its own (key is unique too)."""
    keys = f["key"].text_values()
    ids = f["id"].values
    return _set(
        f,
        "key",
        f["key"].set_text(_all(f), [f"{k}_{i}" for k, i in zip(keys, ids.tolist(), strict=True)]),
    )


# --- per table ----------------------------------------------------------------------------

_ended = _set_cond("ended_at")
_open = _unset_cond("ended_at")

DEFECTS: dict[str, tuple[Defect, ...]] = {
    "users": (
        _null_key(),
        _DUPLICATE,
        _text("invalid_enum", "role", ("superuser", "guest", "owner")),
        _country("country_code"),
        _after("created_at", "updated_at"),
        _ancient("created_at"),
    ),
    "subscriptions": (
        _null_key(),
        _DUPLICATE,
        _either(
            _text("invalid_enum", "plan", ("weekly", "lifetime")),
            _text("invalid_enum", "status", ("paused", "trialing")),
        ),
        _number("negative_value", "price_cents", (-1, -1999)),
        _before("end_before_start", "ended_at", "started_at", _ended),
        _either(
            _after("ended_at", "updated_at", _ended), _after("started_at", "updated_at", _open)
        ),
        _ancient("started_at"),
        _orphan("user_id"),
    ),
    "payments": (
        _null_key(),
        _DUPLICATE,
        _either(
            _text("invalid_enum", "status", ("pending", "chargeback")),
            _text("invalid_enum", "kind", ("donation", "gift_card")),
        ),
        _number("negative_value", "amount_cents", (-500, 0, -1999)),
        _either(_orphan("user_id"), _orphan("subscription_id", _set_cond("subscription_id"))),
    ),
    "app_sessions": (
        _null_key(),
        _DUPLICATE,
        _text("invalid_enum", "device_type", ("tv", "smartwatch", "console")),
        _before("end_before_start", "ended_at", "started_at", _ended, lo=1, hi=600),
        _either(
            _after("ended_at", "updated_at", _ended), _after("started_at", "updated_at", _open)
        ),
        _ancient("started_at"),
        _country("country_code"),
        _orphan("user_id"),
    ),
    "events": (
        _null_key(),
        _DUPLICATE,
        _text("invalid_enum", "event_type", ("hover", "scroll", "impression")),
        _before("future_timestamp", "received_at", "occurred_at", lo=1, hi=HOUR),
        _either(
            _orphan("user_id", _set_cond("user_id")), _orphan("session_id", _set_cond("session_id"))
        ),
        _malformed_json(),
    ),
    "content": (
        _null_key(),
        _DUPLICATE,
        _either(
            _text("invalid_enum", "difficulty", ("expert", "easy")),
            _text("invalid_enum", "kind", ("webinar", "podcast")),
        ),
        _after("created_at", "updated_at"),
        _ancient("created_at"),
        _orphan("mentor_id"),
    ),
    "enrollments": (
        _null_key(),
        _DUPLICATE,
        _number("out_of_range", "progress_pct", (130.0, 100.5, -5.0)),
        _before("end_before_start", "completed_at", "enrolled_at", _set_cond("completed_at")),
        _either(
            _after("completed_at", "updated_at", _set_cond("completed_at")),
            _after("enrolled_at", "updated_at", _unset_cond("completed_at")),
        ),
        _ancient("enrolled_at"),
        _either(_orphan("user_id"), _orphan("content_id")),
    ),
    "practice_attempts": (
        _null_key(),
        _DUPLICATE,
        _text("invalid_enum", "status", ("paused", "passed")),
        _number("out_of_range", "score", (140.0, -5.0, 100.5), _set_cond("score")),
        _number("negative_value", "duration_seconds", (-30, -1)),
        _before(
            "end_before_start", "finished_at", "started_at", _set_cond("finished_at"), lo=1, hi=HOUR
        ),
        _either(
            _after("finished_at", "updated_at", _set_cond("finished_at")),
            _after("started_at", "updated_at", _unset_cond("finished_at")),
        ),
        _ancient("started_at"),
        _either(_orphan("user_id"), _orphan("content_id")),
    ),
    "mentor_sessions": (
        _null_key(),
        _DUPLICATE,
        _text("invalid_enum", "status", ("pending", "rescheduled")),
        _either(
            _number("negative_value", "price_cents", (-1, -4500)),
            _number("negative_value", "duration_minutes", (-30,)),
        ),
        _after("created_at", "updated_at"),
        _ancient("created_at"),
        _either(_orphan("mentor_id"), _orphan("student_id")),
    ),
    "reviews": (
        _null_key(),
        _DUPLICATE,
        _number("out_of_range", "rating", (0, 6, -1)),
        _either(
            _orphan("user_id"),
            _orphan("content_id", _set_cond("content_id")),
            _orphan("mentor_id", _set_cond("mentor_id")),
        ),
        _review_target(),
    ),
    "nps_responses": (
        _null_key(),
        _DUPLICATE,
        _number("out_of_range", "score", (11, -1, 12)),
        _orphan("user_id"),
    ),
    "experiments": (
        _null_key(),
        _DUPLICATE,
        _before("end_before_start", "ended_at", "started_at"),
        _either(
            _after("ended_at", "updated_at", _ended), _after("started_at", "updated_at", _open)
        ),
        _ancient("started_at"),
    ),
    "experiment_assignments": (
        _null_key("user_id"),
        _DUPLICATE,
        _text("invalid_enum", "variant", ("variant_z", "holdout")),
        _either(_orphan("experiment_id"), _orphan("user_id")),
    ),
    "communities": (
        _null_key(),
        _DUPLICATE,
        _after("created_at", "updated_at"),
        _ancient("created_at"),
        Defect(
            "invalid_country",
            "allowed_countries holds a code that is not two upper-case letters",
            _text("invalid_country", "allowed_countries", ("{GB,usa}", "{DE,at}", "{U1}")).apply,
            _set_cond("allowed_countries"),
        ),
    ),
    "community_memberships": (
        _null_key("user_id"),
        _DUPLICATE,
        _before("end_before_start", "left_at", "joined_at"),
        _after("joined_at", "updated_at", _unset_cond("left_at")),
        _ancient("joined_at"),
        _either(_orphan("community_id"), _orphan("user_id")),
    ),
    "community_activity": (
        _null_key(),
        _DUPLICATE,
        _text("invalid_enum", "activity_type", ("poke", "react", "bookmark")),
        _either(_orphan("community_id"), _orphan("user_id")),
    ),
    "geo_access_attempts": (
        _null_key(),
        _DUPLICATE,
        _text("invalid_enum", "result", ("maybe", "denied")),
        _country("country_code"),
        _either(_orphan("community_id"), _orphan("user_id")),
    ),
    "error_logs": (
        _null_key(),
        _DUPLICATE,
        _text("invalid_enum", "level", ("fatal", "info", "debug")),
        _before(
            "end_before_start",
            "resolved_at",
            "occurred_at",
            _set_cond("resolved_at"),
            lo=60,
            hi=DAY,
        ),
        _either(
            _after("resolved_at", "updated_at", _set_cond("resolved_at")),
            _after("occurred_at", "updated_at", _unset_cond("resolved_at")),
        ),
        _ancient("occurred_at"),
        _orphan("user_id"),
    ),
    "api_requests": (
        _null_key(),
        _DUPLICATE,
        _number("negative_value", "response_ms", (-5.0, -0.01)),
        _orphan("user_id"),
    ),
}

HOME: dict[str, str] = {
    "null_key": "events",
    "duplicate_key": "events",
    "invalid_enum": "events",
    "out_of_range": "nps_responses",
    "negative_value": "payments",
    "end_before_start": "app_sessions",
    "future_timestamp": "events",
    "before_platform": "users",
    "orphan_fk": "events",
    "malformed_json": "events",
    "invalid_country": "users",
    "invalid_review_target": "reviews",
}
"""Where each kind is injected at least once whenever bad_rate > 0 (if the table has rows)."""

# Composite-key tables: a bad copy keeps the first key column and gets a user_id that no
# row pairs with it (or an orphan id), so that it is not a duplicate as well.
_PAIR_TABLES = {"experiment_assignments": "experiment_id", "community_memberships": "community_id"}


@dataclass
class Injector:
    """Adds bad rows to each chunk of good rows and counts them per (table, kind)."""

    rate: float
    streams: Streams
    context: Context
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    _turn: dict[str, int] = field(default_factory=dict)

    def bad_rows(
        self, table: str, good: fr.Frame, chunk: int = 0, keys: KeySequence | None = None
    ) -> list[fr.Frame]:
        """Bad copies of rows of `good` (about rate x its rows, and each home kind once)."""
        if self.rate <= 0 or len(good) == 0:
            return []
        rng = self.streams("bad rows", table, chunk)
        defects = DEFECTS[table]
        exact = self.rate * len(good)
        n = int(exact) + int(rng.random() < exact - int(exact))
        # Kinds take turns (in an order fixed per table), so every kind of a table shows up
        # once the table has len(defects) bad rows.
        turn = self._turn.get(table, 0)
        order = self.streams("bad rows", table).permutation(len(defects))
        wanted = np.bincount(order[(turn + np.arange(n)) % len(defects)], minlength=len(defects))
        self._turn[table] = turn + n
        for i, d in enumerate(defects):
            if HOME[d.kind] == table and self.counts.get((table, d.kind), 0) == 0:
                wanted[i] = max(wanted[i], 1)
        out = []
        for count, d in zip(wanted.tolist(), defects, strict=True):
            if count:
                rows = self._make(table, good, d, count, rng, keys)
                if len(rows):
                    out.append(rows)
                    key = (table, d.kind)
                    self.counts[key] = self.counts.get(key, 0) + len(rows)
        return out

    def _make(
        self,
        table: str,
        good: fr.Frame,
        defect: Defect,
        count: int,
        rng: np.random.Generator,
        keys: KeySequence | None,
    ) -> fr.Frame:
        eligible = np.flatnonzero(defect.eligible(good)) if defect.eligible else _all(good)
        if len(eligible) == 0:
            return good.take(np.zeros(0, np.int64))
        rows = good.take(np.sort(rng.choice(eligible, size=count)))
        rows = defect.apply(rows, rng, self.context)
        if not defect.fresh_key:
            return rows
        return self._fresh_key(table, rows, defect, rng, keys)

    def _fresh_key(
        self,
        table: str,
        rows: fr.Frame,
        defect: Defect,
        rng: np.random.Generator,
        keys: KeySequence | None,
    ) -> fr.Frame:
        key = source_tables()[table].key
        if table in _PAIR_TABLES:
            if defect.kind == "orphan_fk":
                return rows  # an unknown community/experiment/user makes the pair new
            first = rows[_PAIR_TABLES[table]].values
            user = self.context.free_users(table, first, rng)
            rows = _set(rows, "user_id", rows["user_id"].set_values(_all(rows), user))
            return rows.take(np.flatnonzero(user > 0))
        if rows[key[0]].kind == "text":
            return _set(rows, "id", rows["id"].set_text(_all(rows), uuid4_hex(rng, len(rows))))
        assert keys is not None, f"{table}: bad rows need the table's next id"
        rows = _set(rows, "id", rows["id"].set_values(_all(rows), keys.take(len(rows))))
        if table == "experiments":
            rows = _experiment_key(rows, rng, self.context)
        return rows


def defect_catalog() -> dict[str, dict[str, str]]:
    """table -> kind -> how a bad row of that kind is made there (for staging's authors)."""
    return {table: {d.kind: d.how for d in defects} for table, defects in DEFECTS.items()}
