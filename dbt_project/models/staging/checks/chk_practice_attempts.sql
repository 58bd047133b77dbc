-- Every raw practice_attempts row, with the reasons it breaks the source contract (none: valid).
{%- set key = ['id'] %}
{%- set parents = [
    parent_fk('user_id', 'users', 'user_id'),
    parent_fk('content_id', 'content', 'content_id')
] %}
{{ config(unique_key=key, indexes=checked_table_indexes(key, parents)) }}
{%- set checks = [
    check_null_key(['c.id']),
    check_duplicate_key('c._dup_rank'),
    check_enum('c.status', source_enum('practice_attempts', 'status')),
    check_range('c.score', 0, 100),
    check_not_negative('c.duration_seconds'),
    check_end_after_start('c.finished_at', 'c.started_at'),
    check_after_launch(['c.started_at', 'c.finished_at', 'c.updated_at']),
    check_not_after(['c.started_at', 'c.finished_at'], 'c.updated_at'),
    check_fk('c.user_id', 'p_user_id.user_id', required=true),
    check_fk('c.content_id', 'p_content_id.content_id', required=true)
] %}

with c as (
    {{ checked_rows('practice_attempts', key, 'updated_at', parents) }}
)

select
    c.*,
    {{ passes_checks(checks) }} as _is_valid,
    {{ quarantine_reasons(checks) }} as _reasons,
    {{ checked_at() }} as _checked_at
from c
{{ parent_joins(parents) }}
