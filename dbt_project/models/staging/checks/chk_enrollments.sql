-- Every raw enrollments row, with the reasons it breaks the source contract (none: valid).
{%- set key = ['id'] %}
{%- set parents = [
    parent_fk('user_id', 'users', 'user_id'),
    parent_fk('content_id', 'content', 'content_id')
] %}
{{ config(unique_key=key, indexes=checked_table_indexes(key, parents)) }}
{%- set checks = [
    check_null_key(['c.id']),
    check_duplicate_key('c._dup_rank'),
    check_range('c.progress_pct', 0, 100, nullable=false),
    check_end_after_start('c.completed_at', 'c.enrolled_at'),
    check_after_launch(['c.enrolled_at', 'c.completed_at', 'c.updated_at']),
    check_not_after(['c.enrolled_at', 'c.completed_at'], 'c.updated_at'),
    check_fk('c.user_id', 'p_user_id.user_id', required=true),
    check_fk('c.content_id', 'p_content_id.content_id', required=true)
] %}

with c as (
    {{ checked_rows('enrollments', key, 'updated_at', parents) }}
)

select
    c.*,
    {{ passes_checks(checks) }} as _is_valid,
    {{ quarantine_reasons(checks) }} as _reasons,
    {{ checked_at() }} as _checked_at
from c
{{ parent_joins(parents) }}
