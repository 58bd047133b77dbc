-- Every raw payments row, with the reasons it breaks the source contract (none: valid).
{%- set checks = [
    check_null_key(['c.id']),
    check_duplicate_key('c._dup_rank'),
    check_enum('c.kind', ['subscription', 'mentor_session', 'course']),
    check_enum('c.status', ['succeeded', 'failed', 'refunded']),
    check_positive('c.amount_cents'),
    check_after_launch(['c.created_at']),
    check_fk('c.user_id', 'p_user_id.user_id', required=true),
    check_fk('c.subscription_id', 'p_subscription_id.subscription_id')
] %}

with c as (
    {{ checked_rows('payments', ['id'], 'created_at') }}
)

select
    c.*,
    {{ passes_checks(checks) }} as _is_valid,
    {{ quarantine_reasons(checks) }} as _reasons
from c
left join {{ ref('stg_users') }} as p_user_id
    on c.user_id = p_user_id.user_id
left join {{ ref('stg_subscriptions') }} as p_subscription_id
    on c.subscription_id = p_subscription_id.subscription_id
