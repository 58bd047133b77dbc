"""Money: subscriptions with their renewals, churn and refunds, and the payments table
that collects every charge (subscriptions, courses, mentor sessions).

A subscription is billed at its start and at every renewal (one payment per plan
period, same day of the month); it ends when the user cancels (at a renewal), when a
renewal payment fails (expired), when an initial payment is refunded, or when the
account is deleted. Payments before the period are not in the source (its window).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demo_source import frame as fr
from demo_source import vocab
from demo_source.events import CONVERSION, Catalog, Moments
from demo_source.people import NO_TIME, STUDENT, Users
from demo_source.rhythm import rhythmic_between
from demo_source.scenario import DAY, Period, Streams
from demo_source.sessions import Sessions

MONTHLY, ANNUAL = range(len(vocab.PLANS))
ACTIVE, CANCELLED, EXPIRED = range(len(vocab.SUBSCRIPTION_STATUSES))
SUBSCRIPTION, MENTOR_SESSION, COURSE = range(len(vocab.PAYMENT_KINDS))
SUCCEEDED, FAILED, REFUNDED = range(len(vocab.PAYMENT_STATUSES))


@dataclass(frozen=True)
class Charges:
    """Rows of the payments table before they get ids."""

    user: np.ndarray
    time: np.ndarray
    kind: np.ndarray
    amount: np.ndarray
    currency: np.ndarray
    status: np.ndarray
    subscription: np.ndarray
    """Index of the subscription, -1 for none."""

    @classmethod
    def of(
        cls,
        user: np.ndarray,
        time: np.ndarray,
        kind: int,
        amount: np.ndarray,
        currency: np.ndarray,
        status: np.ndarray | int,
        subscription: np.ndarray | None = None,
    ) -> Charges:
        n = len(user)
        return cls(
            *(fr.filled(v, n) for v in (user, time, kind, amount, currency, status)),
            fr.filled(-1 if subscription is None else subscription, n),
        )

    @classmethod
    def merge(cls, parts: list[Charges]) -> Charges:
        return cls(
            **{
                k: np.concatenate([getattr(p, k) for p in parts]).astype(np.int64)
                for k in cls.__dataclass_fields__
            }
        )

    def subset(self, mask: np.ndarray) -> Charges:
        return Charges(**{k: getattr(self, k)[mask] for k in self.__dataclass_fields__})

    def refunded(self, when: np.ndarray) -> Charges:
        """A refund row for every charge, at the given times."""
        return Charges(
            self.user,
            when,
            self.kind,
            self.amount,
            self.currency,
            np.full(len(when), REFUNDED),
            self.subscription,
        )


def payments_frame(charges: Charges) -> fr.Frame:
    order = np.lexsort((np.arange(len(charges.time)), charges.time))
    c = charges.subset(order)
    return fr.Frame(
        {
            "id": fr.ints(np.arange(1, len(c.time) + 1)),
            "user_id": fr.ints(c.user + 1),
            "subscription_id": fr.ints(c.subscription + 1, c.subscription < 0),
            "kind": fr.texts(vocab.PAYMENT_KINDS, c.kind, safe=True),
            "amount_cents": fr.ints(c.amount),
            "currency": fr.texts(vocab.CURRENCIES, c.currency, safe=True),
            "status": fr.texts(vocab.PAYMENT_STATUSES, c.status, safe=True),
            "created_at": fr.times(c.time),
        }
    )


def add_months(t: np.ndarray, months: np.ndarray) -> np.ndarray:
    """The same day of the month (or the month's last day) and time, `months` later."""
    t = np.asarray(t, dtype=np.int64)
    day = t // DAY
    month = day.astype("datetime64[D]").astype("datetime64[M]")
    into_month = day - month.astype("datetime64[D]").astype(np.int64)
    target = month + np.asarray(months, dtype=np.int64).astype("timedelta64[M]")
    first = target.astype("datetime64[D]").astype(np.int64)
    length = (target + 1).astype("datetime64[D]").astype(np.int64) - first
    return (first + np.minimum(into_month, length - 1)) * DAY + (t - day * DAY)


@dataclass(frozen=True)
class Subscriptions:
    user: np.ndarray
    plan: np.ndarray
    price: np.ndarray
    currency: np.ndarray
    status: np.ndarray
    started: np.ndarray
    ended: np.ndarray
    updated: np.ndarray


def build_subscriptions(
    users: Users, sessions: Sessions, catalog: Catalog, period: Period, streams: Streams
) -> tuple[Subscriptions, Moments, Charges]:
    rng = streams("subscriptions")
    user, started, session = _subscribers(rng, users, sessions, period)
    order = np.lexsort((user, started))  # serial ids follow the start
    user, started, session = user[order], started[order], session[order]
    n = len(user)
    plan = np.where(rng.random(n) < 0.2, ANNUAL, MONTHLY)
    currency = users.currency[user]
    price = vocab.PLAN_PRICES[plan, currency]
    months = np.where(plan == ANNUAL, 12, 1)

    # Renewal k happens at add_months(started, k * months); the first one billed inside
    # the period is `first`. A subscriber from before the period was active at its start.
    elapsed = _months_between(started, period.start)
    first = np.where(started >= period.start, 0, elapsed // months)
    first = np.where(add_months(started, first * months) < period.start, first + 1, first)
    floor = np.maximum(first, 1) - 1
    cancel_at = floor + rng.geometric(np.where(plan == ANNUAL, 0.25, 0.07))
    fail_at = floor + rng.geometric(0.03, n)
    last_k = np.minimum(cancel_at, fail_at)
    status = np.where(fail_at < cancel_at, EXPIRED, CANCELLED)

    span = (period.days // 28 + 2) // np.where(plan == ANNUAL, 12, 1) + 2
    sub = np.repeat(np.arange(n), span)
    k = first[sub] + np.arange(len(sub)) - np.repeat(np.cumsum(span) - span, span)
    when = add_months(started[sub], k * months[sub])
    billed = (when < period.end) & (k <= last_k[sub])
    paid = billed & (k < last_k[sub])
    failed = billed & (k == last_k[sub]) & (status[sub] == EXPIRED)
    ended = add_months(started, last_k * months)

    # A refunded first payment ends the subscription; so does a deleted account.
    refund_at = when + rng.integers(DAY, 6 * DAY, len(when))
    refund = (
        paid
        & (k == 0)
        & (rng.random(len(when)) < 0.05)
        & (refund_at < period.end)
        & users.alive_at(user[sub], refund_at)
        & (refund_at < ended[sub])
    )
    never = np.iinfo(np.int64).max
    refund_end = np.full(n, never)
    np.minimum.at(refund_end, sub[refund], refund_at[refund])
    deleted = np.where(users.deleted[user] == NO_TIME, never, users.deleted[user])
    stop = np.minimum(refund_end, deleted)
    status = np.where(stop < ended, CANCELLED, status)
    ended = np.minimum(ended, stop)
    charged = (paid | failed) & (when < stop[sub])
    is_active = ended >= period.end
    status = np.where(is_active, ACTIVE, status)

    last_payment = np.full(n, NO_TIME)
    np.maximum.at(last_payment, sub[charged], when[charged])
    quiet = rhythmic_between(rng, np.full(n, period.start), np.full(n, period.end))
    updated = np.where(
        ~is_active, ended, np.where(last_payment >= period.start, last_payment, quiet)
    )

    charges = Charges.of(
        user[sub][charged],
        when[charged],
        SUBSCRIPTION,
        price[sub][charged],
        currency[sub][charged],
        np.where(failed[charged], FAILED, SUCCEEDED),
        sub[charged],
    )
    refunds = Charges.of(
        user[sub][refund],
        when[refund],
        SUBSCRIPTION,
        price[sub][refund],
        currency[sub][refund],
        SUCCEEDED,
        sub[refund],
    ).refunded(refund_at[refund])
    in_session = session >= 0
    moments = Moments.of(
        session[in_session],
        started[in_session],
        CONVERSION,
        catalog.name("subscription_started"),
        catalog.url("/checkout"),
        catalog.sections["plan"] + plan[in_session] * len(vocab.CURRENCIES) + currency[in_session],
    )
    subs = Subscriptions(
        user=user,
        plan=plan,
        price=price,
        currency=currency,
        status=status,
        started=started,
        ended=np.where(is_active, NO_TIME, ended),
        updated=updated,
    )
    return subs, moments, Charges.merge([charges, refunds])


def _month_number(t: np.ndarray | int) -> np.ndarray:
    """Months since 1970-01 of epoch seconds."""
    days = (np.asarray(t) // DAY).astype("datetime64[D]")
    return days.astype("datetime64[M]").astype(np.int64)


def _months_between(earlier: np.ndarray, later: int) -> np.ndarray:
    return np.maximum(_month_number(later) - _month_number(earlier), 0)


def _subscribers(
    rng: np.random.Generator, users: Users, sessions: Sessions, period: Period
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(user, started, session): students who subscribed before the period and are still
    subscribed at its start, and students who subscribe in one of their sessions (new
    users mostly in their first sessions: the conversion funnel)."""
    student = users.role == STUDENT
    veteran = student & (users.created < period.start - 30 * DAY)
    earlier = veteran & (rng.random(users.n) < 0.3)
    since = np.maximum(users.created, period.start - 400 * DAY)
    old_start = since + (rng.random(users.n) * (period.start - since)).astype(np.int64)

    order, offsets = sessions.by_user(users.n)
    count = np.diff(offsets)
    chance = np.where(users.created >= period.start, 0.16, 0.05)
    joins = student & ~earlier & (count > 0) & (rng.random(users.n) < chance)
    nth = np.minimum(rng.geometric(0.3, users.n) - 1, np.maximum(count - 1, 0))
    session = (
        order[np.minimum(offsets[:-1] + nth, max(len(order) - 1, 0))]
        if len(order)
        else (np.zeros(users.n, np.int64))
    )
    new_user = np.flatnonzero(joins)
    new_session = session[new_user]
    old_user = np.flatnonzero(earlier)
    return (
        np.concatenate([old_user, new_user]),
        np.concatenate([old_start[old_user], sessions.moment(rng, new_session)]),
        np.concatenate([np.full(len(old_user), -1), new_session]),
    )


def subscriptions_frame(subs: Subscriptions) -> fr.Frame:
    return fr.Frame(
        {
            "id": fr.ints(np.arange(1, len(subs.user) + 1)),
            "user_id": fr.ints(subs.user + 1),
            "plan": fr.texts(vocab.PLANS, subs.plan, safe=True),
            "price_cents": fr.ints(subs.price),
            "currency": fr.texts(vocab.CURRENCIES, subs.currency, safe=True),
            "status": fr.texts(vocab.SUBSCRIPTION_STATUSES, subs.status, safe=True),
            "started_at": fr.times(subs.started),
            "ended_at": fr.times(subs.ended, subs.ended == NO_TIME),
            "updated_at": fr.times(subs.updated),
        }
    )
