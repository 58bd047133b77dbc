-- Every raw error_logs row, with the reasons it breaks the source contract (none: valid).
{%- set key = ['id'] %}
{%- set parents = [
    parent_fk('user_id', 'users', 'user_id')
] %}
{{ config(unique_key=key, indexes=checked_table_indexes(key, parents)) }}
{%- set checks = [
    check_null_key(['c.id']),
    check_duplicate_key('c._dup_rank'),
    check_enum('c.level', source_enum('error_logs', 'level')),
    check_end_after_start('c.resolved_at', 'c.occurred_at'),
    check_after_launch(['c.occurred_at', 'c.resolved_at', 'c.updated_at']),
    check_not_after(['c.occurred_at', 'c.resolved_at'], 'c.updated_at'),
    check_fk('c.user_id', 'p_user_id.user_id')
] %}

with c as (
    {{ checked_rows('error_logs', key, 'updated_at', parents) }}
)

select
    c.*,
    {{ passes_checks(checks) }} as _is_valid,
    {{ quarantine_reasons(checks) }} as _reasons,
    {{ checked_at() }} as _checked_at
from c
{{ parent_joins(parents) }}
