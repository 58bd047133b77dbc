"""Valid rows of the relations the quality suites' SQL reads (no tests here): PARENTS, and
the row makers of its users and payments. test_quality_rules.py plants its violations
beside them; test_quality_checks.py runs its suites on them in Dagster."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from support.quality import utc

S1 = "00000000-0000-0000-0000-000000000001"


def email_hash(user_id: int) -> str:
    """What dim_users holds: an HMAC-SHA256, 64 hex digits."""
    return hmac.new(b"key", str(user_id).encode(), hashlib.sha256).hexdigest()


def dim_user(user_id: int | None, **o: Any) -> dict[str, Any]:
    row = {
        "user_id": user_id,
        "email_hash": email_hash(user_id or 0),
        "role": "student",
        "is_internal": False,
        "country_code": "FR",
        "city": "Lyon",
        "is_verified": True,
        "created_at": utc("2026-01-01 09:00"),
        "signup_date": "2026-01-01",
        "is_deleted": False,
        "updated_at": utc("2026-01-01 09:00"),
    }
    return {**row, **o}


def payment(payment_id: int | None, **o: Any) -> dict[str, Any]:
    row = {
        "payment_id": payment_id,
        "user_id": 1,
        "subscription_id": 20,
        "kind": "subscription",
        "status": "succeeded",
        "amount_cents": 1000,
        "amount": 10,
        "currency": "EUR",
        "net_amount_cents": 1000,
        "created_at": utc("2026-01-05 10:00"),
        "payment_date": "2026-01-05",
    }
    return {**row, **o}


# The parents the suites' SQL reads, and valid rows of dimensions. Non-admin users 1, 2 and
# 4; the first non-admin signup is 2026-01-01, so a metric has a row for every day from then
# on. On 2026-01-05 the non-admin EUR payments net 1000 - 200 + 0 = 800 cents (the admin's
# 5000 does not count).
PARENTS: dict[str, list[dict[str, Any]]] = {
    "marts.dim_users": [
        dim_user(1),
        dim_user(2, role="mentor", created_at=utc("2026-01-02 10:00"), signup_date="2026-01-02"),
        dim_user(
            3,
            role="admin",
            is_internal=True,
            created_at=utc("2025-12-01 08:00"),
            signup_date="2025-12-01",
        ),
        dim_user(4, created_at=utc("2026-01-03 11:00"), signup_date="2026-01-03"),
    ],
    "marts.dim_subscriptions": [
        {
            "subscription_id": 20,
            "user_id": 1,
            "plan": "monthly",
            "status": "active",
            "price_cents": 1000,
            "currency": "EUR",
            "monthly_price_cents": 1000,
            "started_at": utc("2026-01-02 10:00"),
        },
    ],
    "marts.fct_sessions": [
        {
            "session_id": S1,
            "user_id": 1,
            "device_type": "web",
            "started_at": utc("2026-01-05 10:00"),
            "ended_at": utc("2026-01-05 10:05"),
            "session_date": "2026-01-05",
            "duration_seconds": 300,
            "events": 3,
            "page_views": 2,
            "conversions": 0,
            "is_bounce": False,
        },
    ],
    "marts.dim_experiments": [
        {
            "experiment_id": 40,
            "experiment_key": "exp-a",
            "name": "A",
            "variants": ["control", "treatment"],
            "control_variant": "control",
            "goal_event": "signup",
        },
    ],
    "marts.fct_payments": [
        payment(1),
        payment(
            2,
            status="refunded",
            amount_cents=200,
            amount=2,
            net_amount_cents=-200,
            created_at=utc("2026-01-05 11:00"),
        ),
        payment(
            3,
            user_id=3,
            amount_cents=5000,
            amount=50,
            net_amount_cents=5000,
            created_at=utc("2026-01-05 12:00"),
        ),
        payment(
            4,
            user_id=4,
            status="failed",
            amount_cents=300,
            amount=3,
            net_amount_cents=0,
            subscription_id=None,
            created_at=utc("2026-01-05 13:00"),
        ),
        payment(
            5,
            amount_cents=700,
            amount=7,
            net_amount_cents=700,
            created_at=utc("2026-01-04 10:00"),
            payment_date="2026-01-04",
        ),
    ],
    "analytics.fct_metric_users_growth_daily": [
        {
            "time_bucket": "2026-01-05",
            "dimension": "",
            "new_users": 0,
            "new_students": 0,
            "new_mentors": 0,
            "total_users": 3,
        },
        {
            "time_bucket": "2026-01-06",
            "dimension": "",
            "new_users": 0,
            "new_students": 0,
            "new_mentors": 0,
            "total_users": 3,
        },
        {
            "time_bucket": "2026-01-05",
            "dimension": "p5",
            "new_users": 0,
            "new_students": 0,
            "new_mentors": 0,
            "total_users": 1,
        },
    ],
}
