-- The valid users rows, typed and renamed; the rejected ones are in quarantine.
select
    id as user_id,
    lower(trim(email)) as email,
    trim(full_name) as full_name,
    role,
    country_code::text as country_code,
    nullif(trim(city), '') as city,
    coalesce(is_verified, false) as is_verified,
    created_at,
    updated_at,
    last_login_at,
    deleted_at,
    deleted_at is not null as is_deleted,
    role = 'admin' as is_internal,
    _partition,
    _loaded_at
from {{ ref('chk_users') }}
where _is_valid
