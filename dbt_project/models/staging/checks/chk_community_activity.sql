-- Every raw community_activity row, with the reasons it breaks the source contract (none: valid).
{%- set key = ['id'] %}
{%- set parents = [
    parent_fk('community_id', 'communities', 'community_id'),
    parent_fk('user_id', 'users', 'user_id')
] %}
{{ config(unique_key=key, indexes=checked_table_indexes(key, parents, day_of='occurred_at')) }}
{%- set checks = [
    check_null_key(['c.id']),
    check_duplicate_key('c._dup_rank'),
    check_enum('c.activity_type', source_enum('community_activity', 'activity_type')),
    check_after_launch(['c.occurred_at']),
    check_fk('c.community_id', 'p_community_id.community_id', required=true),
    check_fk('c.user_id', 'p_user_id.user_id', required=true)
] %}

with c as (
    {{ checked_rows('community_activity', key, 'occurred_at', parents) }}
)

select
    c.*,
    {{ passes_checks(checks) }} as _is_valid,
    {{ quarantine_reasons(checks) }} as _reasons,
    {{ checked_at() }} as _checked_at
from c
{{ parent_joins(parents) }}
