-- Every raw content row, with the reasons it breaks the source contract (none: valid).
{%- set key = ['id'] %}
{%- set parents = [
    parent_fk('mentor_id', 'users', 'user_id')
] %}
{{ config(unique_key=key, indexes=checked_table_indexes(key, parents)) }}
{%- set checks = [
    check_null_key(['c.id']),
    check_duplicate_key('c._dup_rank'),
    check_enum('c.kind', source_enum('content', 'kind')),
    check_enum('c.difficulty', source_enum('content', 'difficulty')),
    check_after_launch(['c.created_at', 'c.updated_at']),
    check_not_after(['c.created_at'], 'c.updated_at'),
    check_fk('c.mentor_id', 'p_mentor_id.user_id')
] %}

with c as (
    {{ checked_rows('content', key, 'updated_at', parents) }}
)

select
    c.*,
    {{ passes_checks(checks) }} as _is_valid,
    {{ quarantine_reasons(checks) }} as _reasons,
    {{ checked_at() }} as _checked_at
from c
{{ parent_joins(parents) }}
