-- Every raw payments row, with the reasons it breaks the source contract (none: valid).
{%- set key = ['id'] %}
{%- set parents = [
    parent_fk('user_id', 'users', 'user_id'),
    parent_fk('subscription_id', 'subscriptions', 'subscription_id')
] %}
{{ config(unique_key=key, indexes=checked_table_indexes(key, parents)) }}
{%- set checks = [
    check_null_key(['c.id']),
    check_duplicate_key('c._dup_rank'),
    check_enum('c.kind', source_enum('payments', 'kind')),
    check_enum('c.status', source_enum('payments', 'status')),
    check_positive('c.amount_cents'),
    check_after_launch(['c.created_at']),
    check_fk('c.user_id', 'p_user_id.user_id', required=true),
    check_fk('c.subscription_id', 'p_subscription_id.subscription_id')
] %}

with c as (
    {{ checked_rows('payments', key, 'created_at', parents) }}
)

select
    c.*,
    {{ passes_checks(checks) }} as _is_valid,
    {{ quarantine_reasons(checks) }} as _reasons,
    {{ checked_at() }} as _checked_at
from c
{{ parent_joins(parents) }}
