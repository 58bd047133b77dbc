-- The valid geo_access_attempts rows, typed and renamed; the rejected ones are in quarantine.
select
    id as access_attempt_id,
    user_id,
    community_id,
    country_code::text as country_code,
    nullif(trim(region), '') as region,
    nullif(trim(city), '') as city,
    result,
    coalesce(is_traveler, false) as is_traveler,
    occurred_at,
    _partition,
    _loaded_at
from {{ ref('chk_geo_access_attempts') }}
where _is_valid
