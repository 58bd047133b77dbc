-- The valid subscriptions rows, typed and renamed; the rejected ones are in quarantine.
select
    id as subscription_id,
    user_id,
    plan,
    price_cents,
    upper(currency::text) as currency,
    status,
    started_at,
    ended_at,
    updated_at,
    _partition,
    _loaded_at
from {{ ref('chk_subscriptions') }}
where _is_valid
