-- One row per valid attempt to open a geo-restricted community.
select
    access_attempt_id,
    user_id,
    community_id,
    country_code,
    region,
    city,
    result,
    result = 'blocked' as is_blocked,
    is_traveler,
    occurred_at,
    {{ utc_date('occurred_at') }} as attempt_date
from {{ ref('stg_geo_access_attempts') }}
