"""The platform's accounts: who they are, when they signed up, how engaged they are.

About a third of the accounts exist before the period; the rest sign up during it, more
every week. Each account gets a habit (sessions per day) that fades at its own pace, so
retention curves look like a real product's: many try it once, some stay.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demo_source import frame as fr
from demo_source import vocab
from demo_source.rhythm import WEEKDAY_WEIGHTS, clock, rhythmic_between, weekday
from demo_source.scenario import DAY, GenerationSpec, Period, Streams

NO_TIME = -1
"""Marks a missing time in the int64 arrays of the model (never written as such)."""

STUDENT, MENTOR, ADMIN = 0, 1, 2


@dataclass(frozen=True)
class Users:
    """Row i is the user with id i + 1 (ids follow signup order, like a serial key)."""

    role: np.ndarray
    created: np.ndarray
    country: np.ndarray
    """Index into vocab.COUNTRY_CODES, -1 when unknown."""
    city: np.ndarray
    currency: np.ndarray
    device: np.ndarray
    """The device the user mostly uses."""
    activity: np.ndarray
    """Expected sessions per day while engaged."""
    fade_days: np.ndarray
    """How fast engagement fades after signup (inf: a loyal user)."""
    deleted: np.ndarray
    practice: np.ndarray
    """Chance that a session includes a practice attempt."""
    skill: np.ndarray
    """Expected score of a first attempt."""
    verified: np.ndarray
    first_name: np.ndarray
    last_name: np.ndarray
    domain: np.ndarray

    @property
    def n(self) -> int:
        return len(self.role)

    @property
    def ids(self) -> np.ndarray:
        return np.arange(1, self.n + 1, dtype=np.int64)

    def alive_at(self, user: np.ndarray, t: np.ndarray) -> np.ndarray:
        """The user existed and was not deleted at time t."""
        deleted = self.deleted[user]
        return (self.created[user] <= t) & ((deleted == NO_TIME) | (t < deleted))


def _role_counts(n: int) -> tuple[int, int]:
    admins = min(5, max(1, n // 400)) if n >= 20 else 0
    mentors = max(1, round(n * 0.04)) if n >= 10 else 0
    return admins, mentors


def build_users(spec: GenerationSpec, period: Period, streams: Streams) -> Users:
    rng = streams("users")
    n = spec.users
    admins, mentors = _role_counts(n)
    role = np.full(n, STUDENT)
    role[:admins] = ADMIN
    role[admins : admins + mentors] = MENTOR
    created = _signup_times(rng, role, period)
    order = np.lexsort((np.arange(n), created))
    role, created = role[order], created[order]

    country = rng.choice(len(vocab.COUNTRY_CODES), size=n, p=vocab.COUNTRY_P)
    country[rng.random(n) < 0.04] = -1
    city = np.where(country >= 0, vocab.pick_city(rng, country), -1)
    currency = np.where(country >= 0, vocab.COUNTRY_CURRENCY[np.maximum(country, 0)], 0)
    activity = np.clip(rng.lognormal(np.log(0.35), 0.8, n), 0.03, 3.0)
    activity = np.where(role == MENTOR, activity * 1.3, np.where(role == ADMIN, 0.5, activity))
    fade = rng.choice(np.array([4.0, 20.0, np.inf]), size=n, p=[0.3, 0.3, 0.4])
    fade[role != STUDENT] = np.inf
    return Users(
        role=role,
        created=created,
        country=country,
        city=city,
        currency=currency,
        device=rng.choice(len(vocab.DEVICES), size=n, p=vocab.DEVICE_P),
        activity=activity,
        fade_days=fade,
        deleted=_deletions(rng, role, created, period),
        practice=np.where(role == STUDENT, rng.beta(2.0, 4.0, n), 0.03),
        skill=rng.normal(58.0, 11.0, n),
        verified=(role != STUDENT) | (rng.random(n) < 0.85),
        first_name=rng.integers(0, len(vocab.FIRST_NAMES), n),
        last_name=rng.integers(0, len(vocab.LAST_NAMES), n),
        domain=rng.integers(0, len(vocab.EMAIL_DOMAINS), n),
    )


def _signup_times(rng: np.random.Generator, role: np.ndarray, period: Period) -> np.ndarray:
    """Staff and a third of the students existed before the period; the others sign up
    during it, on busier days and more each week (the last day ~2.2x the first)."""
    n = len(role)
    before = np.where(
        role == ADMIN, True, np.where(role == MENTOR, rng.random(n) < 0.8, rng.random(n) < 0.35)
    )
    age_days = np.minimum(rng.exponential(365.0, n), (period.start - period.history_start) // DAY)
    old_day = period.start - (np.maximum(np.ceil(age_days), 1) * DAY).astype(np.int64)
    days = np.arange(period.days)
    weights = WEEKDAY_WEIGHTS[weekday(period.start + days * DAY)] * np.exp(
        np.log(2.2) * days / max(period.days - 1, 1)
    )
    new_day = period.start + rng.choice(period.days, size=n, p=weights / weights.sum()) * DAY
    return np.where(before, old_day, new_day) + clock(rng, n)


def _deletions(
    rng: np.random.Generator, role: np.ndarray, created: np.ndarray, period: Period
) -> np.ndarray:
    """About 2% of students delete their account during the period (soft delete)."""
    n = len(role)
    lo = np.maximum(created + 2 * DAY, period.start + DAY)
    wants = (role == STUDENT) & (rng.random(n) < 0.02) & (lo < period.end)
    when = lo + (rng.random(n) * np.maximum(period.end - lo, 1)).astype(np.int64)
    return np.where(wants, when, NO_TIME)


def users_frame(
    users: Users, last_session: np.ndarray, period: Period, streams: Streams
) -> fr.Frame:
    """The users table. `last_session`: start of each user's last session (or NO_TIME).

    updated_at is the newest of signup, last login and deletion; an account untouched
    during the period still had a profile update in it (every row's window is the period).
    """
    rng = streams("users", "rows")
    n = users.n
    # Accounts without a session in the period logged in last some time before it.
    earlier = users.created + (rng.random(n) * np.maximum(period.start - users.created, 1))
    never = rng.random(n) < 0.08
    last_login = np.where(
        last_session != NO_TIME, last_session, np.where(never, NO_TIME, earlier.astype(np.int64))
    )
    touched = np.maximum.reduce([users.created, last_login, users.deleted])
    profile_update = rhythmic_between(
        rng, np.maximum(users.created, period.start), np.full(n, period.end)
    )
    updated = np.where(touched >= period.start, touched, profile_update)

    first = vocab.FIRST_NAMES[users.first_name]
    last = vocab.LAST_NAMES[users.last_name]
    ids = users.ids
    email = (
        np.char.lower(first.astype(str)).astype(object)
        + "."
        + np.char.lower(last.astype(str)).astype(object)
        + ids.astype(str).astype(object)
        + "@"
        + vocab.EMAIL_DOMAINS[users.domain]
    )
    no_country = users.country < 0
    return fr.Frame(
        {
            "id": fr.ints(ids),
            "email": fr.strings(email),
            "full_name": fr.strings(first + " " + last),
            "role": fr.texts(vocab.ROLES, users.role, safe=True),
            "country_code": fr.texts(
                vocab.COUNTRY_CODES, np.maximum(users.country, 0), no_country, safe=True
            ),
            "city": fr.texts(vocab.CITIES, np.maximum(users.city, 0), no_country),
            "is_verified": fr.bools(users.verified),
            "created_at": fr.times(users.created),
            "updated_at": fr.times(updated),
            "last_login_at": fr.times(last_login, last_login == NO_TIME),
            "deleted_at": fr.times(users.deleted, users.deleted == NO_TIME),
        }
    )
