-- Every raw mentor_sessions row, with the reasons it breaks the source contract (none: valid).
{%- set key = ['id'] %}
{%- set parents = [
    parent_fk('mentor_id', 'users', 'user_id'),
    parent_fk('student_id', 'users', 'user_id')
] %}
{{ config(unique_key=key, indexes=checked_table_indexes(key, parents)) }}
{%- set checks = [
    check_null_key(['c.id']),
    check_duplicate_key('c._dup_rank'),
    check_enum('c.status', source_enum('mentor_sessions', 'status')),
    check_not_negative('c.duration_minutes'),
    check_not_negative('c.price_cents'),
    check_after_launch(['c.scheduled_at', 'c.created_at', 'c.updated_at']),
    check_not_after(['c.created_at'], 'c.updated_at'),
    check_fk('c.mentor_id', 'p_mentor_id.user_id', required=true),
    check_fk('c.student_id', 'p_student_id.user_id', required=true)
] %}

with c as (
    {{ checked_rows('mentor_sessions', key, 'updated_at', parents) }}
)

select
    c.*,
    {{ passes_checks(checks) }} as _is_valid,
    {{ quarantine_reasons(checks) }} as _reasons,
    {{ checked_at() }} as _checked_at
from c
{{ parent_joins(parents) }}
