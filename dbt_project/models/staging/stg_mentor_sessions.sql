-- The valid mentor_sessions rows, typed and renamed; the rejected ones are in quarantine.
select
    id as mentor_session_id,
    mentor_id,
    student_id,
    scheduled_at,
    status,
    duration_minutes,
    price_cents,
    upper(currency::text) as currency,
    created_at,
    updated_at,
    _partition,
    _loaded_at
from {{ ref('chk_mentor_sessions') }}
where _is_valid
