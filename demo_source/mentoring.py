"""Mentoring: students book sessions with mentors (popular mentors get more), pay when
booking, and the session is completed, cancelled (refunded), missed, or still ahead.

A session still ahead ('scheduled') has its scheduled_at after its updated_at: the
booking was last touched before the appointment. That is the one timestamp a row may
hold after its updated_at.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demo_source import frame as fr
from demo_source import vocab
from demo_source.billing import FAILED, MENTOR_SESSION, SUCCEEDED, Charges
from demo_source.events import CONVERSION, Catalog, Moments
from demo_source.people import MENTOR, STUDENT, Users
from demo_source.scenario import DAY, HOUR, Period, Streams
from demo_source.sessions import Sessions

SCHEDULED, COMPLETED, CANCELLED, NO_SHOW = range(len(vocab.MENTOR_STATUSES))
LENGTHS = np.array([30, 45, 60])


@dataclass(frozen=True)
class Bookings:
    mentor: np.ndarray
    student: np.ndarray
    scheduled: np.ndarray
    status: np.ndarray
    minutes: np.ndarray
    price: np.ndarray
    currency: np.ndarray
    created: np.ndarray
    updated: np.ndarray

    @property
    def ends(self) -> np.ndarray:
        return self.scheduled + self.minutes * 60


def build_bookings(
    users: Users, sessions: Sessions, catalog: Catalog, period: Period, streams: Streams
) -> tuple[Bookings, Moments, Charges]:
    rng = streams("mentor_sessions")
    mentors = np.flatnonzero(users.role == MENTOR)
    student = users.role[sessions.user] == STUDENT
    session = (
        np.flatnonzero(student & (rng.random(sessions.n) < 0.012))
        if len(mentors)
        else (np.zeros(0, np.int64))
    )
    created = sessions.moment(rng, session)
    popularity = 1.0 / (1.0 + rng.permutation(max(len(mentors), 1))[: len(mentors)]) ** 0.8
    mentor = np.full(len(session), -1)
    for _ in range(6):  # a mentor who had joined by the booking
        todo = np.flatnonzero(mentor < 0)
        if len(todo) == 0 or len(mentors) == 0:
            break
        pick = mentors[rng.choice(len(mentors), size=len(todo), p=popularity / popularity.sum())]
        mentor[todo] = np.where(users.created[pick] < created[todo], pick, -1)
    keep = mentor >= 0
    session, created, mentor = session[keep], created[keep], mentor[keep]
    n = len(session)
    student_user = sessions.user[session]

    minutes = LENGTHS[rng.choice(3, size=n, p=[0.3, 0.2, 0.5])]
    scheduled = (
        (created // DAY + rng.integers(1, 11, n)) * DAY
        + rng.integers(8, 20, n) * HOUR
        + rng.choice(np.array([0, 1800]), size=n)
    )
    hourly = vocab.MENTOR_HOURLY[(mentor * 2654435761) % len(vocab.MENTOR_HOURLY)]
    price = hourly * minutes // 60
    currency = users.currency[mentor]
    outcome = rng.choice(np.array([COMPLETED, CANCELLED, NO_SHOW]), size=n, p=[0.78, 0.12, 0.10])
    cancel_at = created + (rng.random(n) * (scheduled - created)).astype(np.int64)
    wrap_up = scheduled + minutes * 60 + rng.integers(0, 2 * HOUR, n)
    paid = rng.random(n) >= 0.04
    # A failed payment cancels the booking a few minutes later.
    outcome = np.where(paid, outcome, CANCELLED)
    cancel_at = np.where(paid, cancel_at, created + 600)
    touched = np.where(outcome == CANCELLED, cancel_at, wrap_up)
    happened = touched < period.end
    status = np.where(happened, outcome, SCHEDULED)
    updated = np.where(happened, touched, created)

    bookings = Bookings(
        mentor, student_user, scheduled, status, minutes, price, currency, created, updated
    )
    charges = Charges.of(
        student_user, created, MENTOR_SESSION, price, currency, np.where(paid, SUCCEEDED, FAILED)
    )
    refund = paid & (status == CANCELLED)
    refunds = Charges.of(
        student_user[refund],
        created[refund],
        MENTOR_SESSION,
        price[refund],
        currency[refund],
        SUCCEEDED,
    ).refunded(updated[refund])
    moments = Moments.of(
        session,
        created,
        CONVERSION,
        catalog.name("mentor_session_booked"),
        catalog.url("/mentors/book"),
        catalog.sections["booking"] + np.searchsorted(LENGTHS, minutes),
    )
    return bookings, moments, Charges.merge([charges, refunds])


def bookings_frame(bookings: Bookings) -> fr.Frame:
    """mentor_sessions, ids in booking order."""
    order = np.lexsort((np.arange(len(bookings.created)), bookings.created))
    b = Bookings(*(getattr(bookings, k)[order] for k in Bookings.__dataclass_fields__))
    return fr.Frame(
        {
            "id": fr.ints(np.arange(1, len(order) + 1)),
            "mentor_id": fr.ints(b.mentor + 1),
            "student_id": fr.ints(b.student + 1),
            "scheduled_at": fr.times(b.scheduled),
            "status": fr.texts(vocab.MENTOR_STATUSES, b.status, safe=True),
            "duration_minutes": fr.ints(b.minutes),
            "price_cents": fr.ints(b.price),
            "currency": fr.texts(vocab.CURRENCIES, b.currency, safe=True),
            "created_at": fr.times(b.created),
            "updated_at": fr.times(b.updated),
        }
    )
