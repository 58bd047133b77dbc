"""What users say: reviews of content and mentors, and NPS survey answers.

Ratings follow experience: a high practice score or a finished course earns more stars;
each mentor has their own typical rating. Promoters are the more engaged users.
"""

from __future__ import annotations

import numpy as np

from demo_source import frame as fr
from demo_source import vocab
from demo_source.learning import COMPLETED, Attempts, Enrollments
from demo_source.mentoring import COMPLETED as SESSION_DONE
from demo_source.mentoring import Bookings
from demo_source.people import ADMIN, NO_TIME, Users
from demo_source.scenario import DAY, Period, Streams
from demo_source.sessions import Sessions


def reviews_frame(
    users: Users,
    attempts: Attempts,
    enrollments: Enrollments,
    bookings: Bookings,
    period: Period,
    streams: Streams,
) -> fr.Frame:
    rng = streams("reviews")
    done = np.flatnonzero((attempts.status == COMPLETED) & (rng.random(len(attempts.user)) < 0.12))
    attempt_rating = np.clip(
        np.round(1 + attempts.score[done] / 25.0 + rng.normal(0, 0.7, len(done))), 1, 5
    )
    finished = np.flatnonzero(
        (enrollments.completed != NO_TIME) & (rng.random(len(enrollments.user)) < 0.35)
    )
    course_rating = np.clip(np.round(rng.normal(4.1, 0.9, len(finished))), 1, 5)
    met = np.flatnonzero(
        (bookings.status == SESSION_DONE) & (rng.random(len(bookings.mentor)) < 0.4)
    )
    mentor_quality = 3.6 + (bookings.mentor[met] * 40503 % 13) / 10.0
    mentor_rating = np.clip(np.round(mentor_quality + rng.normal(0, 0.6, len(met))), 1, 5)

    user = np.concatenate([attempts.user[done], enrollments.user[finished], bookings.student[met]])
    content = np.concatenate(
        [attempts.content[done], enrollments.content[finished], np.full(len(met), -1)]
    )
    mentor = np.concatenate([np.full(len(done) + len(finished), -1), bookings.mentor[met]])
    after = np.concatenate(
        [attempts.finished[done], enrollments.completed[finished], bookings.ends[met]]
    )
    rating = np.concatenate([attempt_rating, course_rating, mentor_rating]).astype(np.int64)
    created = after + rng.integers(60, 2 * DAY, len(after))
    keep = (created < period.end) & users.alive_at(user, created)
    order = np.flatnonzero(keep)[np.argsort(created[keep], kind="stable")]
    body = (rating[order] - 1) * 2 + rng.integers(0, 2, len(order))
    bodies = np.array([b for pair in vocab.REVIEW_BODIES for b in pair], dtype=object)
    return fr.Frame(
        {
            "id": fr.ints(np.arange(1, len(order) + 1)),
            "user_id": fr.ints(user[order] + 1),
            "content_id": fr.ints(content[order] + 1, content[order] < 0),
            "mentor_id": fr.ints(mentor[order] + 1, mentor[order] < 0),
            "rating": fr.ints(rating[order]),
            "body": fr.texts(bodies, body),
            "created_at": fr.times(created[order]),
        }
    )


def nps_frame(users: Users, sessions: Sessions, streams: Streams) -> fr.Frame:
    """A survey shown in a session: about 30% of active users answer, some twice."""
    rng = streams("nps_responses")
    order, offsets = sessions.by_user(users.n)
    count = np.diff(offsets)
    answers = np.where(
        (count > 0) & (users.role != ADMIN) & (rng.random(users.n) < 0.3),
        1 + (rng.random(users.n) < 0.25),
        0,
    )
    user = np.repeat(np.arange(users.n), answers)
    session = order[offsets[user] + (rng.random(len(user)) * count[user]).astype(np.int64)]
    created = sessions.moment(rng, session)
    mood = 7.9 + np.log(users.activity[user] / 0.35) + rng.normal(0, 2.0, len(user))
    score = np.clip(np.round(mood), 0, 10).astype(np.int64)
    category = np.where(score <= 6, 0, np.where(score <= 8, 1, 2))
    comments = np.array([c for group in vocab.NPS_COMMENTS for c in group], dtype=object)
    first = np.cumsum([0] + [len(g) for g in vocab.NPS_COMMENTS])[:-1]
    sizes = np.array([len(g) for g in vocab.NPS_COMMENTS])
    comment = first[category] + (rng.random(len(user)) * sizes[category]).astype(np.int64)
    silent = rng.random(len(user)) < 0.5
    by_time = np.lexsort((np.arange(len(user)), created))
    return fr.Frame(
        {
            "id": fr.ints(np.arange(1, len(user) + 1)),
            "user_id": fr.ints(user[by_time] + 1),
            "score": fr.ints(score[by_time]),
            "comment": fr.texts(comments, comment[by_time], silent[by_time]),
            "created_at": fr.times(created[by_time]),
        }
    )
