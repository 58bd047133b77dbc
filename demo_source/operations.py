"""Operations: API requests (built one day at a time, the second largest table) and the
error logs they and the web front end leave behind.

Requests come from sessions (about 0.7 per event) and from background traffic without a
user. A few incidents (an hour or three each) raise the server error rate sharply, so
errors cluster the way real ones do; 5xx responses are logged as errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from demo_source import frame as fr
from demo_source import vocab
from demo_source.people import NO_TIME, Users
from demo_source.rhythm import WEEKDAY_WEIGHTS, clock, rhythmic_between, weekday
from demo_source.scenario import DAY, HOUR, Period, Streams
from demo_source.sessions import Sessions, ip_text

_SHARE = np.array([e[2] for e in vocab.ENDPOINTS]) / sum(e[2] for e in vocab.ENDPOINTS)
_METHOD = np.array([vocab.HTTP_METHODS.index(e[0]) for e in vocab.ENDPOINTS])
_MEDIAN_MS = np.array([e[3] for e in vocab.ENDPOINTS])
_PATHS = tuple(e[1] for e in vocab.ENDPOINTS)
_OK_STATUS = np.array([200, 201, 200, 200, 204])  # by method: GET POST PUT PATCH DELETE
WARNING, ERROR, CRITICAL = range(len(vocab.ERROR_LEVELS))
WEB = vocab.DEVICES.index("web")

# Error messages: server errors, client warnings, critical alerts, front-end errors.
_MESSAGES = (
    list(vocab.SERVER_ERROR_MESSAGES)
    + [(w, None) for w in vocab.CLIENT_WARNINGS]
    + list(vocab.CRITICAL_MESSAGES)
    + list(vocab.FRONTEND_ERRORS)
)
_FIRST = np.cumsum(
    [0, len(vocab.SERVER_ERROR_MESSAGES), len(vocab.CLIENT_WARNINGS), len(vocab.CRITICAL_MESSAGES)]
)
MESSAGES = np.array([m for m, _ in _MESSAGES], dtype=object)
STACKS = np.array([s or "" for _, s in _MESSAGES], dtype=object)
HAS_STACK = np.array([s is not None for _, s in _MESSAGES])
ERROR_URLS = np.array(list(_PATHS) + [p for p, _ in vocab.PAGES], dtype=object)


def incidents(period: Period, streams: Streams) -> np.ndarray:
    """[start, end) rows of the incident windows: about one a month, 1-3 hours long."""
    rng = streams("incidents")
    n = max(1, period.days // 30)
    start = rhythmic_between(rng, np.full(n, period.start), np.full(n, period.end))
    return np.stack([start, start + rng.integers(1 * HOUR, 3 * HOUR, n)], axis=1)


@dataclass
class ErrorRows:
    """Error log rows gathered day by day (small: a fraction of a percent of requests)."""

    parts: list[dict[str, np.ndarray]] = field(default_factory=list)

    def add(self, **columns: np.ndarray) -> None:
        self.parts.append({k: np.asarray(v, dtype=np.int64) for k, v in columns.items()})

    def merged(self) -> dict[str, np.ndarray]:
        keys = ("user", "level", "message", "url", "method", "status", "ip", "agent", "time")
        if not self.parts:
            return {k: np.zeros(0, np.int64) for k in keys}
        return {k: np.concatenate([p[k] for p in self.parts]) for k in keys}


def api_chunk(
    day: int,
    users: Users,
    sessions: Sessions,
    period: Period,
    streams: Streams,
    windows: np.ndarray,
    first_id: int,
    errors: ErrorRows,
) -> fr.Frame:
    """The API requests of the sessions starting on `day` and of that day's background
    traffic, ids from first_id in time order; their errors go to `errors`."""
    rng = streams("api_requests", day)
    lo, hi = int(sessions.day_offsets[day]), int(sessions.day_offsets[day + 1])
    index = np.arange(lo, hi)
    per_session = rng.poisson(0.7 * sessions.events[index])
    session = np.repeat(index, per_session)
    time = sessions.moment(rng, session)
    day_start = period.day_start(day)
    alive = int(((users.created < day_start + DAY) & (users.deleted == NO_TIME)).sum())
    background = int(rng.poisson(alive * 0.25 * WEEKDAY_WEIGHTS[weekday(day_start)]))
    session = np.concatenate([session, np.full(background, -1)])
    time = np.concatenate([time, day_start + clock(rng, background)])
    order = np.lexsort((np.arange(len(time)), time))
    session, time = session[order], time[order]
    n = len(time)

    endpoint = rng.choice(len(_SHARE), size=n, p=_SHARE)
    method = _METHOD[endpoint]
    status = np.where((method == 0) & (rng.random(n) < 0.05), 304, _OK_STATUS[method])
    client = rng.random(n) < 0.04
    status = np.where(
        client,
        rng.choice(vocab.CLIENT_ERRORS, size=n, p=[0.2, 0.15, 0.1, 0.3, 0.05, 0.1, 0.1]),
        status,
    )
    in_incident = ((time[:, None] >= windows[:, 0]) & (time[:, None] < windows[:, 1])).any(1)
    server = rng.random(n) < np.where(in_incident, 0.12, 0.005)
    status = np.where(
        server, rng.choice(vocab.SERVER_ERRORS, size=n, p=[0.5, 0.2, 0.2, 0.1]), status
    )
    slow = np.where(server, rng.uniform(3, 20, n), np.where(client, 0.5, 1.0))
    response = rng.lognormal(np.log(_MEDIAN_MS[endpoint]), 0.55) * slow
    response = np.where(status == 504, 30000 + rng.random(n) * 500, response)
    anonymous = session < 0
    user = np.where(anonymous, NO_TIME, sessions.user[np.maximum(session, 0)] + 1)

    _collect_errors(rng, sessions, errors, session, time, endpoint, method, status, server, client)
    _front_end_errors(rng, sessions, errors, index)
    if rng.random() < 0.08:
        t = rhythmic_between(rng, np.array([day_start]), np.array([day_start + DAY]))
        errors.add(
            user=[NO_TIME],
            level=[CRITICAL],
            message=_FIRST[2] + rng.integers(0, len(vocab.CRITICAL_MESSAGES), 1),
            url=[-1],
            method=[-1],
            status=[-1],
            ip=[-1],
            agent=[-1],
            time=t,
        )
    return fr.Frame(
        {
            "id": fr.ints(first_id + np.arange(n)),
            "method": fr.texts(vocab.HTTP_METHODS, method, safe=True),
            "path": fr.texts(_PATHS, endpoint, safe=True),
            "status_code": fr.ints(status),
            "response_ms": fr.floats(response, 2),
            "user_id": fr.ints(user, anonymous),
            "occurred_at": fr.times(time),
        }
    )


def _agent(rng: np.random.Generator, device: np.ndarray) -> np.ndarray:
    browser = rng.integers(0, 2, len(device))
    return np.where(device == WEB, browser, np.where(device == 1, 2, 3))


def _collect_errors(
    rng: np.random.Generator,
    sessions: Sessions,
    errors: ErrorRows,
    session: np.ndarray,
    time: np.ndarray,
    endpoint: np.ndarray,
    method: np.ndarray,
    status: np.ndarray,
    server: np.ndarray,
    client: np.ndarray,
) -> None:
    warned = client & (rng.random(len(time)) < 0.03)
    rows = np.flatnonzero(server | warned)
    k = len(rows)
    s = session[rows]
    known = s >= 0
    safe = np.maximum(s, 0)
    is_server = server[rows]
    message = np.where(
        is_server,
        rng.integers(0, _FIRST[1], k),
        _FIRST[1]
        + np.where(status[rows] == 429, 0, rng.integers(1, len(vocab.CLIENT_WARNINGS), k)),
    )
    level = np.where(is_server, np.where(rng.random(k) < 0.1, CRITICAL, ERROR), WARNING)
    errors.add(
        user=np.where(known, sessions.user[safe] + 1, NO_TIME),
        level=level,
        message=message,
        url=endpoint[rows],
        method=method[rows],
        status=status[rows],
        ip=np.where(known, sessions.ip[safe], -1),
        agent=np.where(known, _agent(rng, sessions.device[safe]), -1),
        time=time[rows],
    )


def _front_end_errors(
    rng: np.random.Generator, sessions: Sessions, errors: ErrorRows, index: np.ndarray
) -> None:
    """Browser errors in about 1% of web sessions (no HTTP method or status)."""
    hit = index[(sessions.device[index] == WEB) & (rng.random(len(index)) < 0.01)]
    k = len(hit)
    errors.add(
        user=sessions.user[hit] + 1,
        level=np.full(k, ERROR),
        message=_FIRST[3] + rng.integers(0, len(vocab.FRONTEND_ERRORS), k),
        url=len(_PATHS) + rng.choice(len(vocab.PAGES), size=k, p=vocab.PAGE_P),
        method=np.full(k, -1),
        status=np.full(k, -1),
        ip=sessions.ip[hit],
        agent=_agent(rng, sessions.device[hit]),
        time=sessions.moment(rng, hit),
    )


def error_logs_frame(errors: ErrorRows, period: Period, streams: Streams) -> fr.Frame:
    """Two thirds of errors get resolved, hours to days later (if within the period)."""
    rng = streams("error_logs")
    e = errors.merged()
    order = np.lexsort((np.arange(len(e["time"])), e["time"]))
    e = {k: v[order] for k, v in e.items()}
    n = len(e["time"])
    fix = e["time"] + np.maximum(rng.lognormal(np.log(6 * HOUR), 1.2, n), 60).astype(np.int64)
    resolved = np.where((rng.random(n) < 0.65) & (fix < period.end), fix, NO_TIME)
    agents = np.array(vocab.USER_AGENTS, dtype=object)
    return fr.Frame(
        {
            "id": fr.ints(np.arange(1, n + 1)),
            "user_id": fr.ints(e["user"], e["user"] == NO_TIME),
            "level": fr.texts(vocab.ERROR_LEVELS, e["level"], safe=True),
            "message": fr.texts(MESSAGES, e["message"]),
            "stack_trace": fr.texts(STACKS, e["message"], ~HAS_STACK[e["message"]]),
            "url": fr.texts(ERROR_URLS, np.maximum(e["url"], 0), e["url"] < 0),
            "method": fr.texts(
                vocab.HTTP_METHODS, np.maximum(e["method"], 0), e["method"] < 0, safe=True
            ),
            "status_code": fr.ints(e["status"], e["status"] < 0),
            "ip_address": ip_text(e["ip"]),
            "user_agent": fr.texts(agents, np.maximum(e["agent"], 0), e["agent"] < 0),
            "occurred_at": fr.times(e["time"]),
            "resolved_at": fr.times(resolved, resolved == NO_TIME),
            "updated_at": fr.times(np.maximum(e["time"], resolved)),
        }
    )
