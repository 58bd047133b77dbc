-- One row per valid attempt at a practice scenario or exam, with the content's attributes.
select
    attempts.attempt_id,
    attempts.user_id,
    attempts.content_id,
    attempted.kind as content_kind,
    attempted.skill_area,
    attempted.difficulty,
    attempts.status,
    attempts.score,
    attempts.status = 'completed' and attempts.score = 100 as is_perfect,
    attempts.duration_seconds,
    attempts.started_at,
    attempts.finished_at,
    {{ utc_date('attempts.started_at') }} as attempt_date,
    attempts.updated_at
from {{ ref('stg_practice_attempts') }} as attempts
inner join {{ ref('stg_content') }} as attempted
    on attempts.content_id = attempted.content_id
