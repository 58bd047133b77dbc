"""Learning: the content catalogue, practice attempts, course enrollments, mentoring.

Scores improve with practice: a user's expected score rises with each attempt they make
(by up to ~25 points), harder content scores lower, and the noise is moderate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demo_source import frame as fr
from demo_source import vocab
from demo_source.billing import COURSE as PAYMENT_COURSE
from demo_source.billing import SUCCEEDED, Charges
from demo_source.events import CLICK, CONVERSION, Catalog, Moments
from demo_source.people import MENTOR, NO_TIME, STUDENT, Users
from demo_source.rhythm import rhythmic_between
from demo_source.scenario import DAY, HOUR, Period, Streams
from demo_source.sessions import Sessions

COURSE, SCENARIO, EXAM = range(len(vocab.CONTENT_KINDS))
COMPLETED, ABANDONED, IN_PROGRESS = range(len(vocab.ATTEMPT_STATUSES))


def _pick(rng: np.random.Generator, chance: np.ndarray) -> np.ndarray:
    return rng.random(len(chance)) < chance


def rank_within(group: np.ndarray, time: np.ndarray) -> np.ndarray:
    """0-based position of each row among the rows of its group, in time order."""
    n = len(group)
    if n == 0:
        return np.zeros(0, np.int64)
    order = np.lexsort((np.arange(n), time, group))
    sorted_group = group[order]
    starts = np.flatnonzero(np.r_[True, sorted_group[1:] != sorted_group[:-1]])
    sizes = np.diff(np.r_[starts, n])
    rank = np.empty(n, np.int64)
    rank[order] = np.arange(n) - np.repeat(starts, sizes)
    return rank


# --- content -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Content:
    kind: np.ndarray
    skill: np.ndarray
    topic: np.ndarray
    suffix: np.ndarray
    difficulty: np.ndarray
    mentor: np.ndarray
    """User index of the mentor who authored a course, -1 for none."""
    published: np.ndarray
    created: np.ndarray
    price_tier: np.ndarray
    """Index into vocab.COURSE_PRICES for a paid course, -1 when free."""

    @property
    def n(self) -> int:
        return len(self.kind)

    @property
    def ids(self) -> np.ndarray:
        return np.arange(1, self.n + 1, dtype=np.int64)


def build_content(users: Users, period: Period, streams: Streams) -> Content:
    """Courses, scenarios and exams, all created before the period (mentors author
    courses after they joined)."""
    rng = streams("content")
    n = int(np.clip(users.n // 15, 12, 400))
    kind = rng.choice(3, size=n, p=[0.3, 0.4, 0.3])
    kind[:3] = [COURSE, SCENARIO, EXAM]
    mentors = np.flatnonzero((users.role == MENTOR) & (users.created < period.start - DAY))
    has_author = (kind == COURSE) & (len(mentors) > 0)
    mentor = np.where(
        has_author, mentors[rng.integers(0, max(len(mentors), 1), n)] if len(mentors) else -1, -1
    )
    since = np.where(
        mentor >= 0,
        users.created[np.maximum(mentor, 0)],
        np.maximum(period.start - rng.integers(60, 900, n) * DAY, period.history_start),
    )
    created = since + (rng.random(n) * np.maximum(period.start - DAY - since, 1)).astype(np.int64)
    published = rng.random(n) < 0.92
    published[:3] = True
    price_tier = np.where((kind == COURSE) & (rng.random(n) < 0.4), rng.integers(0, 3, n), -1)
    return Content(
        kind=kind,
        skill=rng.integers(0, len(vocab.SKILL_AREAS), n),
        topic=rng.integers(0, 3, n),
        suffix=rng.integers(0, 3, n),
        difficulty=rng.choice(3, size=n, p=vocab.DIFFICULTY_P),
        mentor=mentor,
        published=published,
        created=created,
        price_tier=price_tier,
    )


def content_frame(content: Content, period: Period, streams: Streams) -> fr.Frame:
    rng = streams("content", "rows")
    titles = np.array([t for topics in vocab.TOPICS for t in topics], dtype=object)
    suffixes = np.array([s for kind in vocab.KIND_SUFFIXES for s in kind], dtype=object)
    title = (
        titles[content.skill * 3 + content.topic]
        + " "
        + suffixes[content.kind * 3 + content.suffix]
    )
    updated = rhythmic_between(
        rng, np.full(content.n, period.start), np.full(content.n, period.end)
    )
    return fr.Frame(
        {
            "id": fr.ints(content.ids),
            "kind": fr.texts(vocab.CONTENT_KINDS, content.kind, safe=True),
            "title": fr.strings(title),
            "difficulty": fr.texts(vocab.DIFFICULTIES, content.difficulty, safe=True),
            "skill_area": fr.texts(vocab.SKILL_AREAS, content.skill),
            "mentor_id": fr.ints(content.mentor + 1, content.mentor < 0),
            "is_published": fr.bools(content.published),
            "created_at": fr.times(content.created),
            "updated_at": fr.times(updated),
        }
    )


def _choose_content(
    rng: np.random.Generator, content: Content, kinds: tuple[int, ...], favourite: np.ndarray
) -> np.ndarray:
    """Published content of the given kinds; 60% of picks in the user's favourite skill."""
    usable = np.flatnonzero(np.isin(content.kind, kinds) & content.published)
    n = len(favourite)
    pick = usable[rng.integers(0, len(usable), n)]
    for skill in range(len(vocab.SKILL_AREAS)):
        of_skill = usable[content.skill[usable] == skill]
        rows = np.flatnonzero((favourite == skill) & (rng.random(n) < 0.6))
        if len(of_skill) and len(rows):
            pick[rows] = of_skill[rng.integers(0, len(of_skill), len(rows))]
    return pick


def _favourite_skill(users: Users, user: np.ndarray) -> np.ndarray:
    return (user * 7919 + users.first_name[user]) % len(vocab.SKILL_AREAS)


# --- practice attempts ----------------------------------------------------------------------


@dataclass(frozen=True)
class Attempts:
    user: np.ndarray
    content: np.ndarray
    started: np.ndarray
    finished: np.ndarray
    status: np.ndarray
    score: np.ndarray
    """NaN unless completed."""
    duration: np.ndarray
    updated: np.ndarray


def build_attempts(
    users: Users,
    sessions: Sessions,
    content: Content,
    catalog: Catalog,
    period: Period,
    streams: Streams,
) -> tuple[Attempts, Moments]:
    """Students practise in some of their sessions (each at their own propensity)."""
    rng = streams("practice_attempts")
    student = users.role[sessions.user] == STUDENT
    per_session = rng.binomial(2, np.where(student, users.practice[sessions.user] / 1.5, 0))
    session = np.repeat(np.arange(sessions.n), per_session)
    user = sessions.user[session]
    n = len(session)
    started = sessions.moment(rng, session)
    item = _choose_content(rng, content, (SCENARIO, EXAM), _favourite_skill(users, user))

    practice_so_far = rank_within(user, started)
    expected = (
        users.skill[user]
        + 25.0 * (1 - np.exp(-practice_so_far / 5.0))
        + vocab.DIFFICULTY_SCORE[content.difficulty[item]]
    )
    score = np.clip(np.round(expected + rng.normal(0, 8.0, n), 2), 0, 100)
    status = rng.choice(3, size=n, p=[0.78, 0.17, 0.05])
    typical = np.where(content.kind[item] == EXAM, 1800.0, 900.0)
    took = np.where(
        status == COMPLETED,
        np.clip(rng.lognormal(np.log(typical), 0.5), 60, 3 * HOUR),
        np.clip(rng.lognormal(np.log(300.0), 0.8, n), 10, 2 * HOUR),
    ).astype(np.int64)
    finished = started + took
    saved = started + (rng.uniform(0.1, 0.9, n) * typical).astype(np.int64)
    # An attempt still running when the period ends is in progress, as of its last autosave.
    status = np.where(finished >= period.end, IN_PROGRESS, status)
    updated = np.where(status == IN_PROGRESS, np.minimum(saved, period.end - 1), finished)
    keep = users.alive_at(user, updated)
    attempts = Attempts(
        user=user,
        content=item,
        started=started,
        finished=np.where(status == IN_PROGRESS, NO_TIME, finished),
        status=status,
        score=np.where(status == COMPLETED, score, np.nan),
        duration=updated - started,
        updated=updated,
    )
    # Serial ids follow the start time.
    order = np.flatnonzero(keep)[np.argsort(started[keep], kind="stable")]
    attempts = Attempts(**{k: getattr(attempts, k)[order] for k in Attempts.__dataclass_fields__})
    moments = Moments.of(
        session[order],
        started[order],
        CLICK,
        catalog.name("start_practice"),
        catalog.content_url(item[order]),
        catalog.content_props(item[order]),
    )
    return attempts, moments


def attempts_frame(attempts: Attempts) -> fr.Frame:
    return fr.Frame(
        {
            "id": fr.ints(np.arange(1, len(attempts.user) + 1)),
            "user_id": fr.ints(attempts.user + 1),
            "content_id": fr.ints(attempts.content + 1),
            "started_at": fr.times(attempts.started),
            "finished_at": fr.times(attempts.finished, attempts.finished == NO_TIME),
            "status": fr.texts(vocab.ATTEMPT_STATUSES, attempts.status, safe=True),
            "score": fr.floats(np.nan_to_num(attempts.score), 2, np.isnan(attempts.score)),
            "duration_seconds": fr.ints(attempts.duration),
            "updated_at": fr.times(attempts.updated),
        }
    )


# --- course enrollments ---------------------------------------------------------------------


@dataclass(frozen=True)
class Enrollments:
    user: np.ndarray
    content: np.ndarray
    enrolled: np.ndarray
    progress: np.ndarray
    completed: np.ndarray
    updated: np.ndarray


def build_enrollments(
    users: Users,
    sessions: Sessions,
    content: Content,
    catalog: Catalog,
    period: Period,
    streams: Streams,
) -> tuple[Enrollments, Moments, Charges]:
    """Students enroll in a course during a session (once per course) and progress at
    their own pace until their last activity in the period; paid courses are charged at
    enrollment, and a few of those charges are refunded."""
    rng = streams("enrollments")
    student = users.role[sessions.user] == STUDENT
    session = np.flatnonzero(student & (rng.random(sessions.n) < 0.03))
    user = sessions.user[session]
    enrolled = sessions.moment(rng, session)
    course = _choose_content(rng, content, (COURSE,), _favourite_skill(users, user))
    order = np.lexsort((np.arange(len(user)), enrolled))
    _, once = np.unique((user * content.n + course)[order], return_index=True)
    keep = np.sort(order[once])
    keep = keep[np.argsort(enrolled[keep], kind="stable")]
    session, user, enrolled, course = session[keep], user[keep], enrolled[keep], course[keep]
    n = len(user)

    last_active = np.full(users.n, NO_TIME)
    np.maximum.at(last_active, sessions.user, sessions.last)
    as_of = np.maximum(last_active[user], enrolled)
    pace = np.clip(rng.lognormal(np.log(3.0), 0.7, n), 0.3, 40.0)  # % per day
    reached = 2.0 + pace * (as_of - enrolled) / DAY
    done = reached >= 100.0
    progress = np.where(done, 100.0, np.minimum(np.round(reached, 2), 99.99))
    completed = np.where(done, enrolled + np.floor(98.0 / pace * DAY).astype(np.int64), NO_TIME)
    enrollments = Enrollments(user, course, enrolled, progress, completed, as_of)

    tier = content.price_tier[course]
    paid = tier >= 0
    currency = users.currency[user]
    amount = vocab.COURSE_PRICES[np.maximum(tier, 0), currency]
    charges = Charges.of(
        user[paid], enrolled[paid], PAYMENT_COURSE, amount[paid], currency[paid], SUCCEEDED
    )
    refund_at = enrolled + rng.integers(DAY, 7 * DAY, n)
    refund = (
        paid & (rng.random(n) < 0.04) & (refund_at < period.end) & users.alive_at(user, refund_at)
    )
    refunds = Charges.of(
        user[refund], enrolled[refund], PAYMENT_COURSE, amount[refund], currency[refund], SUCCEEDED
    ).refunded(refund_at[refund])
    moments = Moments.of(
        session[paid],
        enrolled[paid],
        CONVERSION,
        catalog.name("course_purchased"),
        catalog.url("/checkout"),
        catalog.content_props(course[paid]),
    )
    return enrollments, moments, Charges.merge([charges, refunds])


def enrollments_frame(enrollments: Enrollments) -> fr.Frame:
    e = enrollments
    return fr.Frame(
        {
            "id": fr.ints(np.arange(1, len(e.user) + 1)),
            "user_id": fr.ints(e.user + 1),
            "content_id": fr.ints(e.content + 1),
            "enrolled_at": fr.times(e.enrolled),
            "progress_pct": fr.floats(e.progress, 2),
            "completed_at": fr.times(e.completed, e.completed == NO_TIME),
            "updated_at": fr.times(e.updated),
        }
    )
