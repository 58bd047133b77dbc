-- Every raw community_activity row, with the reasons it breaks the source contract (none: valid).
{%- set checks = [
    check_null_key(['c.id']),
    check_duplicate_key('c._dup_rank'),
    check_enum('c.activity_type', ['view', 'post', 'comment', 'like', 'share']),
    check_after_launch(['c.occurred_at']),
    check_fk('c.community_id', 'p_community_id.community_id', required=true),
    check_fk('c.user_id', 'p_user_id.user_id', required=true)
] %}

with c as (
    {{ checked_rows('community_activity', ['id'], 'occurred_at') }}
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
