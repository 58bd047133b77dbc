-- Every raw community_memberships row, with the reasons it breaks the source contract (none: valid).
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
    {{ checked_rows('community_memberships', ['community_id', 'user_id'], 'updated_at') }}
)

select
    c.*,
    {{ passes_checks(checks) }} as _is_valid,
    {{ quarantine_reasons(checks) }} as _reasons
from c
left join {{ ref('stg_communities') }} as p_community_id
    on c.community_id = p_community_id.community_id
left join {{ ref('stg_users') }} as p_user_id
    on c.user_id = p_user_id.user_id
