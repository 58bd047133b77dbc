-- Per non-admin user and currency the user paid in: money in major units (cents / 100),
-- net = succeeded - refunded; failed payments count for nothing. No currency is converted.
select
    payments.user_id,
    payments.currency,
    count(*) filter (where payments.status = 'succeeded') as succeeded_payments,
    count(*) filter (where payments.status = 'refunded') as refunds,
    round(coalesce(sum(payments.amount_cents) filter (where payments.status = 'succeeded'), 0) / 100.0, 2)
        as gross_amount,
    round(coalesce(sum(payments.amount_cents) filter (where payments.status = 'refunded'), 0) / 100.0, 2)
        as refunded_amount,
    round(sum(payments.net_amount_cents) / 100.0, 2) as net_amount
from {{ ref('fct_payments') }} as payments
inner join {{ ref('stg_users') }} as user_accounts
    on payments.user_id = user_accounts.user_id
where not user_accounts.is_internal and payments.status in ('succeeded', 'refunded')
group by payments.user_id, payments.currency
