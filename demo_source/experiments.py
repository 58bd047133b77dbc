"""A/B experiments: users are assigned a variant in their first session while an
experiment runs, and some then do the experiment's goal event later in that session.

The pricing page experiment has a real lift (8% -> 12% conversion); the others have none,
as most experiments do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demo_source import frame as fr
from demo_source.events import CLICK, CONVERSION, Catalog, Moments
from demo_source.people import ADMIN, Users
from demo_source.scenario import DAY, HOUR, Period, Streams
from demo_source.sessions import Sessions


@dataclass(frozen=True)
class Experiment:
    key: str
    name: str
    variants: tuple[str, ...]
    split: tuple[float, ...]
    goal: str
    goal_type: int
    goal_url: str
    rates: tuple[float, ...]
    """True conversion rate of each variant."""
    start: float
    """Start, in days from the period's start (negative: before it), at the hour below."""
    hour: int
    stop: float | None
    """End, as a share of the period (None: still running)."""


EXPERIMENTS = (
    Experiment(
        "pricing_page_v2",
        "Pricing page redesign",
        ("control", "new_pricing"),
        (0.5, 0.5),
        "pricing_cta_click",
        CLICK,
        "/pricing",
        (0.08, 0.12),
        -10,
        9,
        None,
    ),
    Experiment(
        "onboarding_checklist",
        "Onboarding checklist",
        ("control", "checklist", "checklist_video"),
        (0.34, 0.33, 0.33),
        "onboarding_completed",
        CONVERSION,
        "/dashboard",
        (0.2, 0.2, 0.2),
        0.25,
        10,
        0.75,
    ),
    Experiment(
        "course_recommendations",
        "Course recommendations ranker",
        ("control", "ml_ranker"),
        (0.5, 0.5),
        "recommended_course_click",
        CLICK,
        "/courses",
        (0.1, 0.1),
        0.5,
        14,
        None,
    ),
)
GOALS = tuple(e.goal for e in EXPERIMENTS)
KEYS = tuple(e.key for e in EXPERIMENTS)


def _window(e: Experiment, period: Period) -> tuple[int, int | None]:
    days = e.start if e.start < 0 else np.floor(e.start * period.days)
    started = period.start + int(days) * DAY + e.hour * HOUR
    if e.stop is None:
        return started, None
    ended = period.start + int(np.floor(e.stop * period.days)) * DAY + e.hour * HOUR
    return started, (ended if started < ended < period.end else None)


def experiments_frame(period: Period) -> fr.Frame:
    started, ended, updated = [], [], []
    for e in EXPERIMENTS:
        start, end = _window(e, period)
        started.append(start)
        ended.append(-1 if end is None else end)
        # Configured before the period, edited on its first morning.
        updated.append(max(start, end or 0, period.start + 9 * HOUR + 17 * 60))
    n = len(EXPERIMENTS)
    ended_a = np.array(ended)
    return fr.Frame(
        {
            "id": fr.ints(np.arange(1, n + 1)),
            "key": fr.strings(np.array(KEYS, dtype=object)),
            "name": fr.strings(np.array([e.name for e in EXPERIMENTS], dtype=object)),
            "variants": fr.strings(
                np.array(["{" + ",".join(e.variants) + "}" for e in EXPERIMENTS], dtype=object)
            ),
            "traffic_split": fr.strings(
                np.array(
                    [
                        "{"
                        + ", ".join(f'"{v}": {s}' for v, s in zip(e.variants, e.split, strict=True))
                        + "}"
                        for e in EXPERIMENTS
                    ],
                    dtype=object,
                )
            ),
            "goal_event": fr.strings(np.array(GOALS, dtype=object)),
            "started_at": fr.times(np.array(started)),
            "ended_at": fr.times(ended_a, ended_a < 0),
            "updated_at": fr.times(np.array(updated)),
        }
    )


def build_assignments(
    users: Users, sessions: Sessions, catalog: Catalog, period: Period, streams: Streams
) -> tuple[fr.Frame, Moments]:
    parts, moments = [], []
    for number, e in enumerate(EXPERIMENTS):
        rng = streams("experiment_assignments", e.key)
        start, end = _window(e, period)
        running = (
            (sessions.start >= start)
            & (sessions.start < (end or period.end))
            & (users.role[sessions.user] != ADMIN)
        )
        candidates = np.flatnonzero(running)  # sessions are in start order
        _, first = np.unique(sessions.user[candidates], return_index=True)
        session = np.sort(candidates[first])
        n = len(session)
        variant = rng.choice(len(e.variants), size=n, p=np.array(e.split) / sum(e.split))
        assigned = sessions.start[session]
        room = sessions.last[session] - assigned
        converts = (rng.random(n) < np.array(e.rates)[variant]) & (room >= 1)
        goal_at = assigned + 1 + (rng.random(n) * room).astype(np.int64)
        goal_at = np.minimum(goal_at, sessions.last[session])
        parts.append((np.full(n, number), sessions.user[session], variant, assigned, e))
        moments.append(
            Moments.of(
                session[converts],
                goal_at[converts],
                e.goal_type,
                catalog.name(e.goal),
                catalog.url(e.goal_url),
                catalog.sections["experiment"] + number,
            )
        )
    experiment = np.concatenate([p[0] for p in parts])
    user = np.concatenate([p[1] for p in parts])
    assigned = np.concatenate([p[3] for p in parts])
    variants = np.array([v for e in EXPERIMENTS for v in e.variants], dtype=object)
    offsets = np.cumsum([0] + [len(e.variants) for e in EXPERIMENTS])[:-1]
    variant = np.concatenate([offsets[p[0]] + p[2] for p in parts]).astype(np.int64)
    order = np.lexsort((user, experiment, assigned))
    frame = fr.Frame(
        {
            "experiment_id": fr.ints(experiment[order] + 1),
            "user_id": fr.ints(user[order] + 1),
            "variant": fr.texts(variants, variant[order], safe=True),
            "assigned_at": fr.times(assigned[order]),
        }
    )
    return frame, Moments.merge(moments)
