-- The valid app_sessions rows, typed and renamed; the rejected ones are in quarantine.
select
    id as session_id,
    user_id,
    device_type,
    started_at,
    ended_at,
    country_code::text as country_code,
    nullif(trim(city), '') as city,
    ip_address,
    updated_at,
    _partition,
    _loaded_at
from {{ ref('chk_app_sessions') }}
where _is_valid
