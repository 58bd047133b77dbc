-- Every raw app_sessions row, with the reasons it breaks the source contract (none: valid).
{%- set key = ['id'] %}
{%- set parents = [
    parent_fk('user_id', 'users', 'user_id')
] %}
{{ config(unique_key=key, indexes=checked_table_indexes(key, parents, day_of='started_at')) }}
{%- set checks = [
    check_null_key(['c.id']),
    check_duplicate_key('c._dup_rank'),
    check_enum('c.device_type', source_enum('app_sessions', 'device_type')),
    check_end_after_start('c.ended_at', 'c.started_at'),
    check_country('c.country_code'),
    check_after_launch(['c.started_at', 'c.ended_at', 'c.updated_at']),
    check_not_after(['c.started_at', 'c.ended_at'], 'c.updated_at'),
    check_fk('c.user_id', 'p_user_id.user_id', required=true)
] %}

with c as (
    {{ checked_rows('app_sessions', key, 'updated_at', parents) }}
)

select
    c.*,
    {{ passes_checks(checks) }} as _is_valid,
    {{ quarantine_reasons(checks) }} as _reasons,
    {{ checked_at() }} as _checked_at
from c
{{ parent_joins(parents) }}
