"""App sessions: the moments users are on the platform. Almost everything else a user
does (events, attempts, bookings, purchases, community visits) happens inside one of them,
which keeps the tables consistent with each other and gives them the daily rhythm."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demo_source import frame as fr
from demo_source import vocab
from demo_source.people import NO_TIME, Users
from demo_source.rhythm import WEEKDAY_WEIGHTS, clock, weekday
from demo_source.scenario import DAY, HOUR, Period, Streams


@dataclass(frozen=True)
class Sessions:
    """Sessions ordered by day of start, then start time. `last` is the last instant of a
    session inside the period (its end, or its last heartbeat when still open)."""

    user: np.ndarray
    start: np.ndarray
    last: np.ndarray
    ended: np.ndarray
    """ended_at is set (False: still open at the period's end, or never closed)."""
    signup: np.ndarray
    """The session in which the user signed up."""
    device: np.ndarray
    country: np.ndarray
    city: np.ndarray
    ip: np.ndarray
    """IPv4 address as an integer, -1 when unknown."""
    uuid: np.ndarray
    """The id as 32 hex digits ('S32' bytes)."""
    events: np.ndarray
    """How many events the session produces (its first is the login or signup)."""
    day_offsets: np.ndarray
    """Sessions of day d are rows day_offsets[d]:day_offsets[d + 1]."""

    @property
    def n(self) -> int:
        return len(self.user)

    def moment(self, rng: np.random.Generator, index: np.ndarray) -> np.ndarray:
        """A time inside each given session."""
        span = self.last[index] - self.start[index] + 1
        return self.start[index] + (rng.random(len(index)) * span).astype(np.int64)

    def by_user(self, users: int) -> tuple[np.ndarray, np.ndarray]:
        """(order, offsets): order lists session rows by user then start; the sessions
        of user u are order[offsets[u]:offsets[u + 1]]."""
        order = np.lexsort((self.start, self.user))
        counts = np.bincount(self.user, minlength=users)
        return order, np.concatenate([[0], np.cumsum(counts)])


def build_sessions(users: Users, period: Period, streams: Streams) -> Sessions:
    days = [_day_sessions(users, period, streams, day) for day in range(period.days)]
    sizes = [len(d["user"]) for d in days]
    merged = {key: np.concatenate([d[key] for d in days]) for key in days[0]}
    return Sessions(**merged, day_offsets=np.concatenate([[0], np.cumsum(sizes)]))


def _day_sessions(users: Users, period: Period, streams: Streams, day: int) -> dict:
    rng = streams("sessions", day)
    lo = period.day_start(day)
    hi = lo + DAY
    alive = (users.created < hi) & ((users.deleted == NO_TIME) | (users.deleted > lo))
    age = np.maximum(lo - users.created, 0) / DAY
    engaged = 0.05 + 0.95 * np.exp(-age / users.fade_days)
    novelty = 1.0 + 1.5 * np.exp(-age / 2.0)
    joined_today = (users.created >= lo) & (users.created < hi)
    share_of_day = np.where(joined_today, (hi - users.created) / DAY, 1.0)
    rate = users.activity * engaged * novelty * share_of_day * WEEKDAY_WEIGHTS[weekday(lo)]
    extra = np.where(alive, rng.poisson(rate), 0)
    user = np.concatenate([np.flatnonzero(joined_today), np.repeat(np.arange(users.n), extra)])
    signup = np.zeros(len(user), bool)
    signup[: joined_today.sum()] = True
    n = len(user)

    start = lo + clock(rng, n)
    created = users.created[user]
    late_joiner = start < created  # a session of a new user starts after their signup
    start = np.where(
        late_joiner, created + (rng.random(n) * (hi - created)).astype(np.int64), start
    )
    start = np.where(signup, created, start)
    bounce = rng.random(n) < 0.12
    duration = np.where(
        bounce, rng.integers(1, 10, n), np.clip(rng.lognormal(np.log(540.0), 0.85, n), 10, 3 * HOUR)
    )
    duration = duration.astype(np.int64)
    deleted = users.deleted[user]
    keep = (deleted == NO_TIME) | (start + duration < deleted)
    closed = (start + duration < period.end) & (rng.random(n) >= 0.03)
    last = np.minimum(start + duration, period.end - 1)

    device = np.where(
        rng.random(n) < 0.85,
        users.device[user],
        rng.choice(len(vocab.DEVICES), size=n, p=vocab.DEVICE_P),
    )
    home = users.country[user]
    abroad = (rng.random(n) < 0.06) & (home >= 0)
    travel = (home + rng.integers(1, len(vocab.COUNTRY_CODES), n)) % len(vocab.COUNTRY_CODES)
    country = np.where(abroad, travel, home)
    city = np.where(abroad, vocab.pick_city(rng, country), users.city[user])
    ip = _ipv4(rng, n)
    ip[rng.random(n) < 0.03] = -1
    events = np.where(bounce, 1 + rng.binomial(1, 0.3, n), 2 + rng.poisson(0.9 * duration / 60.0))
    events = np.minimum(events, 80)
    rows = {
        "user": user,
        "start": start,
        "last": last,
        "ended": closed,
        "signup": signup,
        "device": device,
        "country": country,
        "city": city,
        "ip": ip,
        "uuid": uuid4_bytes(rng, n),
        "events": events,
    }
    by_start = np.lexsort((np.arange(n), start))
    order = by_start[keep[by_start]]
    return {key: value[order] for key, value in rows.items()}


def uuid4_bytes(rng: np.random.Generator, n: int) -> np.ndarray:
    """n random version-4 UUIDs as 32 hex digits ('S32'; PostgreSQL takes them without
    dashes)."""
    digits = np.frombuffer(rng.bytes(16 * n).hex().encode(), dtype=np.uint8).reshape(n, 32)
    digits = digits.copy()
    digits[:, 12] = ord("4")
    digits[:, 16] = np.frombuffer(b"89ab", dtype=np.uint8)[rng.integers(0, 4, n)]
    return digits.view("S32").reshape(n)


def uuid4_hex(rng: np.random.Generator, n: int) -> np.ndarray:
    """The same as text (object array of str)."""
    return uuid4_bytes(rng, n).astype(str).astype(object)


_FIRST_OCTETS = np.array([o for o in range(11, 224) if o not in (100, 127, 169, 172, 192)])


def _ipv4(rng: np.random.Generator, n: int) -> np.ndarray:
    first = rng.choice(_FIRST_OCTETS, size=n)
    return (first << 24) | rng.integers(0, 1 << 24, n)


def ip_text(ip: np.ndarray) -> fr.Col:
    """inet column from integer addresses (-1: null)."""
    known = np.maximum(ip, 0)
    parts = [(known >> shift) & 255 for shift in (24, 16, 8, 0)]
    dotted = np.array(
        list(map("%d.%d.%d.%d".__mod__, zip(*(p.tolist() for p in parts), strict=True))),
        dtype=object,
    )
    return fr.strings(dotted, ip < 0, safe=True)


def sessions_frame(sessions: Sessions) -> fr.Frame:
    """app_sessions: updated_at is the end, or the last heartbeat of an open session."""
    no_country = sessions.country < 0
    return fr.Frame(
        {
            "id": fr.strings(sessions.uuid, safe=True),
            "user_id": fr.ints(sessions.user + 1),
            "device_type": fr.texts(vocab.DEVICES, sessions.device, safe=True),
            "started_at": fr.times(sessions.start),
            "ended_at": fr.times(sessions.last, ~sessions.ended),
            "country_code": fr.texts(
                vocab.COUNTRY_CODES, np.maximum(sessions.country, 0), no_country, safe=True
            ),
            "city": fr.texts(vocab.CITIES, np.maximum(sessions.city, 0), sessions.city < 0),
            "ip_address": ip_text(sessions.ip),
            "updated_at": fr.times(sessions.last),
        }
    )
