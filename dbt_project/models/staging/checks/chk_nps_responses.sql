-- Every raw nps_responses row, with the reasons it breaks the source contract (none: valid).
{%- set key = ['id'] %}
{%- set parents = [
    parent_fk('user_id', 'users', 'user_id')
] %}
{{ config(unique_key=key, indexes=checked_table_indexes(key, parents)) }}
{%- set checks = [
    check_null_key(['c.id']),
    check_duplicate_key('c._dup_rank'),
    check_range('c.score', 0, 10, nullable=false),
    check_after_launch(['c.created_at']),
    check_fk('c.user_id', 'p_user_id.user_id', required=true)
] %}

with c as (
    {{ checked_rows('nps_responses', key, 'created_at', parents) }}
)

select
    c.*,
    {{ passes_checks(checks) }} as _is_valid,
    {{ quarantine_reasons(checks) }} as _reasons,
    {{ checked_at() }} as _checked_at
from c
{{ parent_joins(parents) }}
