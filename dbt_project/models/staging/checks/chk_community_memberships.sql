-- Every raw community_memberships row, with the reasons it breaks the source contract (none: valid).
{%- set key = ['community_id', 'user_id'] %}
{%- set parents = [
    parent_fk('community_id', 'communities', 'community_id'),
    parent_fk('user_id', 'users', 'user_id')
] %}
{{ config(
    unique_key=key,
    indexes=checked_table_indexes(key, parents),
) }}
{%- set checks = [
    check_null_key(['c.community_id', 'c.user_id']),
    check_duplicate_key('c._dup_rank'),
    check_end_after_start('c.left_at', 'c.joined_at'),
    check_after_launch(['c.joined_at', 'c.left_at', 'c.updated_at']),
    check_not_after(['c.joined_at', 'c.left_at'], 'c.updated_at'),
    check_fk('c.community_id', 'p_community_id.community_id'),
    check_fk('c.user_id', 'p_user_id.user_id')
] %}

with c as (
    {{ checked_rows('community_memberships', key, 'updated_at', parents) }}
)

select
    c.*,
    {{ passes_checks(checks) }} as _is_valid,
    {{ quarantine_reasons(checks) }} as _reasons,
    {{ checked_at() }} as _checked_at
from c
{{ parent_joins(parents) }}
