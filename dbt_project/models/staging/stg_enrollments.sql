-- The valid enrollments rows, typed and renamed; the rejected ones are in quarantine.
select
    id as enrollment_id,
    user_id,
    content_id,
    enrolled_at,
    progress_pct,
    completed_at,
    updated_at,
    _partition,
    _loaded_at
from {{ ref('chk_enrollments') }}
where _is_valid
