-- The valid practice_attempts rows, typed and renamed; the rejected ones are in quarantine.
select
    id as attempt_id,
    user_id,
    content_id,
    started_at,
    finished_at,
    status,
    score,
    duration_seconds,
    updated_at,
    _partition,
    _loaded_at
from {{ ref('chk_practice_attempts') }}
where _is_valid
