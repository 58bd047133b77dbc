-- One row per valid payment. net_amount_cents is what the payment adds to revenue:
-- + amount when succeeded, - amount when refunded (a refund is its own row), 0 when failed.
select
    payment_id,
    user_id,
    subscription_id,
    kind,
    status,
    amount_cents,
    round(amount_cents / 100.0, 2) as amount,
    currency,
    case status
        when 'succeeded' then amount_cents
        when 'refunded' then -amount_cents
        else 0
    end as net_amount_cents,
    created_at,
    {{ utc_date('created_at') }} as payment_date
from {{ ref('stg_payments') }}
