-- One row per valid booked mentoring session.
select
    mentor_session_id,
    mentor_id,
    student_id,
    status,
    scheduled_at,
    {{ utc_date('scheduled_at') }} as scheduled_date,
    duration_minutes,
    price_cents,
    currency,
    created_at,
    updated_at
from {{ ref('stg_mentor_sessions') }}
