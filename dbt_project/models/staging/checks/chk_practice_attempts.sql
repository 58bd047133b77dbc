-- Every raw practice_attempts row, with the reasons it breaks the source contract (none: valid).
{%- set checks = [
    check_null_key(['c.id']),
    check_duplicate_key('c._dup_rank'),
    check_enum('c.status', ['completed', 'abandoned', 'in_progress']),
    check_range('c.score', 0, 100),
    check_not_negative('c.duration_seconds'),
    check_end_after_start('c.finished_at', 'c.started_at'),
    check_after_launch(['c.started_at', 'c.finished_at', 'c.updated_at']),
    check_not_after(['c.started_at', 'c.finished_at'], 'c.updated_at'),
    check_fk('c.user_id', 'p_user_id.user_id', required=true),
    check_fk('c.content_id', 'p_content_id.content_id', required=true)
] %}

with c as (
    {{ checked_rows('practice_attempts', ['id'], 'updated_at') }}
)

select
    c.*,
    {{ passes_checks(checks) }} as _is_valid,
    {{ quarantine_reasons(checks) }} as _reasons
from c
left join {{ ref('stg_users') }} as p_user_id
    on c.user_id = p_user_id.user_id
left join {{ ref('stg_content') }} as p_content_id
    on c.content_id = p_content_id.content_id
