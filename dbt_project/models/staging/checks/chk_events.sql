-- Every raw events row, with the reasons it breaks the source contract (none: valid).
{%- set key = ['id'] %}
{%- set parents = [
    parent_fk('user_id', 'users', 'user_id'),
    parent_fk('session_id', 'app_sessions', 'session_id')
] %}
{{ config(unique_key=key, indexes=checked_table_indexes(key, parents, day_of='occurred_at')) }}
{%- set checks = [
    check_null_key(['c.id']),
    check_duplicate_key('c._dup_rank'),
    check_enum('c.event_type', source_enum('events', 'event_type')),
    check_json_object('c.properties'),
    check_after_launch(['c.occurred_at', 'c.received_at']),
    check_not_after(['c.occurred_at'], 'c.received_at'),
    check_fk('c.user_id', 'p_user_id.user_id'),
    check_fk('c.session_id', 'p_session_id.session_id')
] %}

with c as (
    {{ checked_rows('events', key, 'occurred_at', parents) }}
)

select
    c.*,
    {{ passes_checks(checks) }} as _is_valid,
    {{ quarantine_reasons(checks) }} as _reasons,
    {{ checked_at() }} as _checked_at
from c
{{ parent_joins(parents) }}
