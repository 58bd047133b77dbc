-- The valid payments rows, typed and renamed; the rejected ones are in quarantine.
select
    id as payment_id,
    user_id,
    subscription_id,
    kind,
    amount_cents,
    upper(currency::text) as currency,
    status,
    created_at,
    _partition,
    _loaded_at
from {{ ref('chk_payments') }}
where _is_valid
