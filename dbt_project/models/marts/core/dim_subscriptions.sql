-- One row per valid subscription, in its current state, with its monthly value (MRR
-- contribution while active: the monthly price, or the annual price / 12).
select
    subscription_id,
    user_id,
    plan,
    status,
    price_cents,
    currency,
    round(case plan when 'annual' then price_cents / 12.0 else price_cents end, 4) as monthly_price_cents,
    started_at,
    ended_at,
    updated_at
from {{ ref('stg_subscriptions') }}
