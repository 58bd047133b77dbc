-- Every raw events row, with the reasons it breaks the source contract (none: valid).
{%- set checks = [
    check_null_key(['c.id']),
    check_duplicate_key('c._dup_rank'),
    check_enum('c.event_type', ['page_view', 'click', 'conversion', 'signup', 'login', 'search']),
    check_json_object('c.properties'),
    check_after_launch(['c.occurred_at', 'c.received_at']),
    check_not_after(['c.occurred_at'], 'c.received_at'),
    check_fk('c.user_id', 'p_user_id.user_id'),
    check_fk('c.session_id', 'p_session_id.session_id')
] %}

with c as (
    {{ checked_rows('events', ['id'], 'occurred_at') }}
)

select
    c.*,
    {{ passes_checks(checks) }} as _is_valid,
    {{ quarantine_reasons(checks) }} as _reasons
from c
left join {{ ref('stg_users') }} as p_user_id
    on c.user_id = p_user_id.user_id
left join {{ ref('stg_app_sessions') }} as p_session_id
    on c.session_id = p_session_id.session_id
