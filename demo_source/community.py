"""Communities, who joins them, what members do there, and the geo checks of the
restricted ones.

Opening a geo-restricted community is checked against the country the session comes
from: members at home are let in, members travelling to a country outside the list
(is_traveler) are blocked, and so is anyone joining from outside it. Blocked visits
leave no activity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demo_source import frame as fr
from demo_source import vocab
from demo_source.people import ADMIN, NO_TIME, Users
from demo_source.rhythm import clock, rhythmic_between
from demo_source.scenario import DAY, HOUR, Period, Streams
from demo_source.sessions import Sessions

ACTIVITY_P = np.array([0.12, 0.25, 0.45, 0.18])  # post, comment, like, share (after a view)


@dataclass(frozen=True)
class CommunityTables:
    communities: fr.Frame
    memberships: fr.Frame
    activity: fr.Frame
    geo: fr.Frame


@dataclass(frozen=True)
class _Checks:
    """Geo checks: one per attempt to open a restricted community."""

    session: np.ndarray
    community: np.ndarray
    time: np.ndarray
    allowed: np.ndarray


def build_communities(
    users: Users, sessions: Sessions, period: Period, streams: Streams
) -> CommunityTables:
    rng = streams("communities")
    n = int(np.clip(users.n // 120, 4, len(vocab.COMMUNITY_NAMES)))
    allowed = np.zeros((n, len(vocab.COUNTRY_CODES)), bool)
    restricted = np.zeros(n, bool)
    for c, codes in vocab.COMMUNITY_REGIONS.items():
        if c < n:
            restricted[c] = True
            for code in codes:
                if code in vocab.COUNTRY_CODES:
                    allowed[c, vocab.country_index(code)] = True
    allowed[~restricted] = True
    opened = np.maximum(period.start - rng.integers(60, 900, n) * DAY, period.history_start)
    created = opened + clock(rng, n)
    updated = rhythmic_between(rng, np.full(n, period.start), np.full(n, period.end))
    lists = np.array(
        ["{" + ",".join(vocab.COMMUNITY_REGIONS.get(c, ())) + "}" for c in range(n)], dtype=object
    )
    communities = fr.Frame(
        {
            "id": fr.ints(np.arange(1, n + 1)),
            "name": fr.strings(np.array(vocab.COMMUNITY_NAMES[:n], dtype=object)),
            "is_geo_restricted": fr.bools(restricted),
            "allowed_countries": fr.strings(lists, ~restricted, safe=True),
            "created_at": fr.times(created),
            "updated_at": fr.times(updated),
        }
    )

    # Joining: a try in some sessions; restricted communities check the session's country.
    tries = np.flatnonzero((users.role[sessions.user] != ADMIN) & (rng.random(sessions.n) < 0.02))
    target = rng.integers(0, n, len(tries))
    # Half of the tries go to the restricted community of the user's own region, if any.
    regional = np.full(len(vocab.COUNTRY_CODES) + 1, -1)
    for c in np.flatnonzero(restricted)[::-1]:
        regional[:-1][allowed[c]] = c
    local = regional[users.country[sessions.user[tries]]]
    target = np.where((local >= 0) & (rng.random(len(tries)) < 0.5), local, target)
    at = sessions.moment(rng, tries)
    join_checks, let_in = _check(sessions, restricted, allowed, tries, target, at)
    user = sessions.user[tries[let_in]]
    community = target[let_in]
    joined = at[let_in]
    by_time = np.lexsort((np.arange(len(user)), joined))
    _, first = np.unique((community * users.n + user)[by_time], return_index=True)
    keep = np.sort(by_time[first])
    user, community, joined = user[keep], community[keep], joined[keep]
    m = len(user)
    leaves = joined + (rng.exponential(8.0, m) * DAY).astype(np.int64) + HOUR
    left = np.where((rng.random(m) < 0.12) & (leaves < period.end), leaves, NO_TIME)
    memberships = fr.Frame(
        {
            "community_id": fr.ints(community + 1),
            "user_id": fr.ints(user + 1),
            "joined_at": fr.times(joined),
            "left_at": fr.times(left, left == NO_TIME),
            "updated_at": fr.times(np.maximum(joined, left)),
        }
    )

    visit_checks, activity = _visits(
        rng, users, sessions, restricted, allowed, user, community, joined, left, period
    )
    geo = _geo_frame(users, sessions, _merge(join_checks, visit_checks))
    return CommunityTables(communities, memberships, activity, geo)


def _check(
    sessions: Sessions,
    restricted: np.ndarray,
    allowed: np.ndarray,
    session: np.ndarray,
    community: np.ndarray,
    time: np.ndarray,
) -> tuple[_Checks, np.ndarray]:
    """The geo checks of these attempts, and which attempts get in. A restricted
    community turns away sessions of unknown country (and logs no check for them)."""
    country = sessions.country[session]
    known = country >= 0
    is_restricted = restricted[community]
    gets_in = np.where(is_restricted, known & allowed[community, np.maximum(country, 0)], True)
    logged = is_restricted & known
    checks = _Checks(session[logged], community[logged], time[logged], gets_in[logged])
    return checks, gets_in


def _visits(
    rng: np.random.Generator,
    users: Users,
    sessions: Sessions,
    restricted: np.ndarray,
    allowed: np.ndarray,
    user: np.ndarray,
    community: np.ndarray,
    joined: np.ndarray,
    left: np.ndarray,
    period: Period,
) -> tuple[_Checks, fr.Frame]:
    """Members come back in some of their later sessions while they are members."""
    order, _ = sessions.by_user(users.n)
    keys = (sessions.user[order] << 32) + sessions.start[order]
    until = np.where(left == NO_TIME, period.end, left)
    lo = np.searchsorted(keys, (user << 32) + joined, side="right")
    hi = np.searchsorted(keys, (user << 32) + until, side="left")
    count = np.maximum(hi - lo, 0)
    visits = rng.binomial(count, rng.beta(2.0, 5.0, len(user)))
    member = np.repeat(np.arange(len(user)), visits)
    session = order[lo[member] + (rng.random(len(member)) * count[member]).astype(np.int64)]
    at = sessions.moment(rng, session)
    inside = at < until[member]
    member, session, at = member[inside], session[inside], at[inside]
    checks, gets_in = _check(sessions, restricted, allowed, session, community[member], at)
    member, session, at = member[gets_in], session[gets_in], at[gets_in]

    extra = rng.poisson(1.0, len(member))
    per_visit = 1 + extra
    visit = np.repeat(np.arange(len(member)), per_visit)
    first = np.arange(len(visit)) == np.repeat(np.cumsum(per_visit) - per_visit, per_visit)
    last = sessions.last[session[visit]]
    begin = at[visit]
    time = np.where(
        first, begin, begin + (rng.random(len(visit)) * (last - begin + 1)).astype(np.int64)
    )
    kind = np.where(first, 0, 1 + rng.choice(4, size=len(visit), p=ACTIVITY_P))
    by_time = np.lexsort((np.arange(len(visit)), time))
    who = member[visit][by_time]
    activity = fr.Frame(
        {
            "id": fr.ints(np.arange(1, len(visit) + 1)),
            "community_id": fr.ints(community[who] + 1),
            "user_id": fr.ints(user[who] + 1),
            "activity_type": fr.texts(vocab.ACTIVITY_TYPES, kind[by_time], safe=True),
            "occurred_at": fr.times(time[by_time]),
        }
    )
    return checks, activity


def _merge(a: _Checks, b: _Checks) -> _Checks:
    return _Checks(
        *(np.concatenate([getattr(a, k), getattr(b, k)]) for k in _Checks.__dataclass_fields__)
    )


def _geo_frame(users: Users, sessions: Sessions, checks: _Checks) -> fr.Frame:
    order = np.lexsort((np.arange(len(checks.time)), checks.time))
    session = checks.session[order]
    user = sessions.user[session]
    country = sessions.country[session]
    city = sessions.city[session]
    no_city = city < 0
    return fr.Frame(
        {
            "id": fr.ints(np.arange(1, len(order) + 1)),
            "user_id": fr.ints(user + 1),
            "community_id": fr.ints(checks.community[order] + 1),
            "country_code": fr.texts(vocab.COUNTRY_CODES, country, safe=True),
            "region": fr.texts(vocab.CITY_REGIONS, np.maximum(city, 0), no_city),
            "city": fr.texts(vocab.CITIES, np.maximum(city, 0), no_city),
            "result": fr.texts(
                vocab.GEO_RESULTS, (~checks.allowed[order]).astype(np.int64), safe=True
            ),
            "is_traveler": fr.bools(country != users.country[user]),
            "occurred_at": fr.times(checks.time[order]),
        }
    )
