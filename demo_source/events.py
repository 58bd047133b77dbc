"""Product analytics events, built one day of sessions at a time (the largest table).

Each session yields its login (or signup) event at its start and page views, clicks and
searches inside it; other modules add the events of what happened in a session (a
practice started, a checkout, an experiment's goal) as `Moments`. Anonymous visitors add
page views without a user or session. A few percent of events reach the server late.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demo_source import frame as fr
from demo_source import vocab
from demo_source.people import NO_TIME, Users
from demo_source.rhythm import WEEKDAY_WEIGHTS, clock, weekday
from demo_source.scenario import DAY, HOUR, Period, Streams
from demo_source.sessions import Sessions

PAGE_VIEW, CLICK, CONVERSION, SIGNUP, LOGIN, SEARCH = range(len(vocab.EVENT_TYPES))
LATE_AFTER = HOUR
"""An event is late when it reaches the server an hour or more after it happened."""
RESULT_BUCKETS = (0, 2, 5, 9, 14, 27, 48)
SPECIAL_NAMES = (
    "login",
    "sign_up",
    "view_content",
    "search",
    "start_practice",
    "subscription_started",
    "course_purchased",
    "mentor_session_booked",
)
SPECIAL_URLS = ("/search", "/signup", "/login", "/checkout", "/mentors/book")
WEB = vocab.DEVICES.index("web")


@dataclass(frozen=True)
class Catalog:
    """Vocabularies of event names, page URLs and properties (JSON objects)."""

    names: np.ndarray
    urls: np.ndarray
    props: np.ndarray
    sections: dict[str, int]
    """Where each family of properties starts in `props`."""
    content_ids: np.ndarray

    def name(self, name: str) -> int:
        return int(np.flatnonzero(self.names == name)[0])

    def url(self, url: str) -> int:
        return int(np.flatnonzero(self.urls == url)[0])

    def content_url(self, content: np.ndarray) -> np.ndarray:
        """URL codes of content rows (index into content_ids)."""
        return self.sections["content_url"] + content

    def content_props(self, content: np.ndarray) -> np.ndarray:
        return self.sections["content"] + content


def build_catalog(
    content_ids: np.ndarray, goals: tuple[str, ...], experiment_keys: tuple[str, ...]
) -> Catalog:
    names = [n for _, n in vocab.PAGES] + list(vocab.CLICKS) + list(SPECIAL_NAMES) + list(goals)
    page_urls = [u for u, _ in vocab.PAGES] + list(SPECIAL_URLS)
    urls = page_urls + [f"/content/{i}" for i in content_ids.tolist()]
    families = {
        "page": [
            f'{{"referrer": "{r}", "device": "{d}"}}'
            for r in vocab.REFERRERS
            for d in vocab.DEVICES
        ],
        "click": [
            f'{{"element": "{c}", "position": {p}}}' for c in vocab.CLICKS for p in range(1, 9)
        ],
        "search": [
            f'{{"query": "{q}", "results": {r}}}'
            for q in vocab.SEARCH_QUERIES
            for r in RESULT_BUCKETS
        ],
        "login": [f'{{"method": "{m}"}}' for m in vocab.LOGIN_METHODS],
        "signup": [f'{{"source": "{s}"}}' for s in vocab.SIGNUP_SOURCES],
        "plan": [
            f'{{"plan": "{p}", "currency": "{c}"}}' for p in vocab.PLANS for c in vocab.CURRENCIES
        ],
        "booking": [f'{{"duration_minutes": {m}}}' for m in (30, 45, 60)],
        "experiment": [f'{{"experiment": "{k}"}}' for k in experiment_keys],
        "content": [f'{{"content_id": {i}}}' for i in content_ids.tolist()],
    }
    sections, props = {}, []
    for family, values in families.items():
        sections[family] = len(props)
        props.extend(values)
    sections["content_url"] = len(page_urls)
    assert all(fr.escape(p) == p for p in props), "properties must need no COPY escaping"
    names_, urls_, props_ = (np.array(v, dtype=object) for v in (names, urls, props))
    return Catalog(names_, urls_, props_, sections, content_ids)


@dataclass(frozen=True)
class Moments:
    """Events of things that happened inside sessions (sorted by session, then time)."""

    session: np.ndarray
    time: np.ndarray
    type: np.ndarray
    name: np.ndarray
    url: np.ndarray
    """URL code, -1 for none."""
    props: np.ndarray

    @classmethod
    def of(
        cls,
        session: np.ndarray,
        time: np.ndarray,
        type_: int,
        name: int,
        url: np.ndarray | int,
        props: np.ndarray | int,
    ) -> Moments:
        n = len(session)
        return cls(
            session.astype(np.int64),
            time.astype(np.int64),
            *(fr.filled(v, n) for v in (type_, name, url, props)),
        )

    @classmethod
    def merge(cls, parts: list[Moments]) -> Moments:
        merged = {
            k: np.concatenate([getattr(p, k) for p in parts]).astype(np.int64)
            for k in cls.__dataclass_fields__
        }
        order = np.lexsort((np.arange(len(merged["session"])), merged["time"], merged["session"]))
        return cls(**{k: v[order] for k, v in merged.items()})

    def between(self, first: int, stop: int) -> slice:
        lo, hi = np.searchsorted(self.session, [first, stop])
        return slice(int(lo), int(hi))


def events_chunk(
    day: int,
    users: Users,
    sessions: Sessions,
    moments: Moments,
    catalog: Catalog,
    period: Period,
    streams: Streams,
    first_id: int,
) -> tuple[fr.Frame, int]:
    """The events of the sessions that start on `day` and of that day's anonymous
    visitors, ids from first_id in time order; and how many of them arrive late."""
    rng = streams("events", day)
    lo, hi = int(sessions.day_offsets[day]), int(sessions.day_offsets[day + 1])
    parts = [_session_events(rng, sessions, catalog, np.arange(lo, hi))]
    special = moments.between(lo, hi)
    parts.append(
        {
            "session": moments.session[special],
            "time": moments.time[special],
            "type": moments.type[special],
            "name": moments.name[special],
            "url": moments.url[special],
            "props": moments.props[special],
        }
    )
    parts.append(_anonymous(rng, users, catalog, period, day))
    rows = {k: np.concatenate([p[k] for p in parts]).astype(np.int64) for k in parts[0]}
    order = np.lexsort((np.arange(len(rows["time"])), rows["time"]))
    rows = {k: v[order] for k, v in rows.items()}

    session = rows["session"]
    anonymous = session < 0
    safe_session = np.maximum(session, 0)
    device = np.where(anonymous, WEB, sessions.device[safe_session])
    delay = _delivery_delay(rng, device)
    user = np.where(anonymous, NO_TIME, sessions.user[safe_session] + 1)
    url = rows["url"]
    url_null = (url < 0) | (device != WEB)  # the apps send no page URL
    frame = fr.Frame(
        {
            "id": fr.ints(first_id + np.arange(len(session))),
            "user_id": fr.ints(user, anonymous),
            "session_id": fr.texts(sessions.uuid, safe_session, anonymous, safe=True),
            "event_type": fr.texts(vocab.EVENT_TYPES, rows["type"], safe=True),
            "event_name": fr.texts(catalog.names, rows["name"], safe=True),
            "page_url": fr.texts(catalog.urls, np.maximum(url, 0), url_null, safe=True),
            "properties": fr.texts(catalog.props, rows["props"], safe=True),
            "occurred_at": fr.times(rows["time"]),
            "received_at": fr.times(rows["time"] + delay),
        }
    )
    return frame, int((delay >= LATE_AFTER).sum())


def _session_events(
    rng: np.random.Generator, sessions: Sessions, catalog: Catalog, index: np.ndarray
) -> dict[str, np.ndarray]:
    count = sessions.events[index]
    session = np.repeat(index, count)
    n = len(session)
    position = np.arange(n) - np.repeat(np.cumsum(count) - count, count)
    first = position == 0
    start = sessions.start[session]
    span = sessions.last[session] - start
    time = np.where(first, start, start + np.ceil(rng.random(n) * span).astype(np.int64))

    draw = rng.random(n)
    type_ = np.where(draw < 0.6, PAGE_VIEW, np.where(draw < 0.88, CLICK, SEARCH))
    signup = sessions.signup[session]
    type_ = np.where(first, np.where(signup, SIGNUP, LOGIN), type_)
    page = rng.choice(len(vocab.PAGES), size=n, p=vocab.PAGE_P)
    content = rng.integers(0, len(catalog.content_ids), n) if len(catalog.content_ids) else 0
    on_content = (rng.random(n) < 0.25) & (len(catalog.content_ids) > 0)
    page_url = np.where(on_content, catalog.content_url(content), page)
    click = rng.integers(0, len(vocab.CLICKS), n)
    s = catalog.sections
    device = sessions.device[session]
    name = np.select(
        [type_ == PAGE_VIEW, type_ == CLICK, type_ == SEARCH, type_ == SIGNUP],
        [
            np.where(on_content, catalog.name("view_content"), page),
            len(vocab.PAGES) + click,
            catalog.name("search"),
            catalog.name("sign_up"),
        ],
        catalog.name("login"),
    )
    url = np.select(
        [type_ == SEARCH, type_ == SIGNUP, type_ == LOGIN],
        [catalog.url("/search"), catalog.url("/signup"), catalog.url("/login")],
        page_url,
    )
    props = np.select(
        [type_ == PAGE_VIEW, type_ == CLICK, type_ == SEARCH, type_ == SIGNUP],
        [
            s["page"] + rng.integers(0, len(vocab.REFERRERS), n) * len(vocab.DEVICES) + device,
            s["click"] + click * 8 + rng.integers(0, 8, n),
            s["search"] + rng.integers(0, len(vocab.SEARCH_QUERIES) * len(RESULT_BUCKETS), n),
            s["signup"] + rng.integers(0, len(vocab.SIGNUP_SOURCES), n),
        ],
        s["login"] + rng.integers(0, len(vocab.LOGIN_METHODS), n),
    )
    return {
        "session": session,
        "time": time,
        "type": type_,
        "name": name,
        "url": url,
        "props": props,
    }


def _anonymous(
    rng: np.random.Generator, users: Users, catalog: Catalog, period: Period, day: int
) -> dict[str, np.ndarray]:
    """Visitors without an account: page views of the public pages."""
    lo = period.day_start(day)
    alive = int(((users.created < lo + DAY) & (users.deleted == NO_TIME)).sum())
    n = int(rng.poisson(alive * 0.12 * WEEKDAY_WEIGHTS[weekday(lo)]))
    public = np.array([0, 2, 5, 6])  # home, courses, pricing, mentors
    page = public[rng.choice(len(public), size=n, p=[0.45, 0.25, 0.2, 0.1])]
    return {
        "session": np.full(n, -1),
        "time": lo + clock(rng, n),
        "type": np.full(n, PAGE_VIEW),
        "name": page,
        "url": page,
        "props": catalog.sections["page"]
        + rng.integers(0, len(vocab.REFERRERS), n) * len(vocab.DEVICES)
        + WEB,
    }


def _delivery_delay(rng: np.random.Generator, device: np.ndarray) -> np.ndarray:
    """Seconds until the server receives an event: a moment usually; hours or days for
    a few percent (apps that were offline more often than browsers)."""
    n = len(device)
    late = rng.random(n) < np.where(device == WEB, 0.015, 0.05)
    prompt = np.floor(rng.exponential(1.5, n)).astype(np.int64)
    delayed = (LATE_AFTER * 10 ** (rng.random(n) * 1.9)).astype(np.int64)
    return np.where(late, delayed, prompt)
