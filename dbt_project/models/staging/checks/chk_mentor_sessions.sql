-- Every raw mentor_sessions row, with the reasons it breaks the source contract (none: valid).
{%- set checks = [
    check_null_key(['c.id']),
    check_duplicate_key('c._dup_rank'),
    check_enum('c.status', ['scheduled', 'completed', 'cancelled', 'no_show']),
    check_not_negative('c.duration_minutes'),
    check_not_negative('c.price_cents'),
    check_after_launch(['c.scheduled_at', 'c.created_at', 'c.updated_at']),
    check_not_after(['c.created_at'], 'c.updated_at'),
    check_fk('c.mentor_id', 'p_mentor_id.user_id', required=true),
    check_fk('c.student_id', 'p_student_id.user_id', required=true)
] %}

with c as (
    {{ checked_rows('mentor_sessions', ['id'], 'updated_at') }}
)

select
    c.*,
    {{ passes_checks(checks) }} as _is_valid,
    {{ quarantine_reasons(checks) }} as _reasons
from c
left join {{ ref('stg_users') }} as p_mentor_id
    on c.mentor_id = p_mentor_id.user_id
left join {{ ref('stg_users') }} as p_student_id
    on c.student_id = p_student_id.user_id
