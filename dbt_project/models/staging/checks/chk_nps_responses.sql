-- Every raw nps_responses row, with the reasons it breaks the source contract (none: valid).
{%- set checks = [
    check_null_key(['c.id']),
    check_duplicate_key('c._dup_rank'),
    check_range('c.score', 0, 10, nullable=false),
    check_after_launch(['c.created_at']),
    check_fk('c.user_id', 'p_user_id.user_id', required=true)
] %}

with c as (
    {{ checked_rows('nps_responses', ['id'], 'created_at') }}
)

select
    c.*,
    {{ passes_checks(checks) }} as _is_valid,
    {{ quarantine_reasons(checks) }} as _reasons
from c
left join {{ ref('stg_users') }} as p_user_id
    on c.user_id = p_user_id.user_id
