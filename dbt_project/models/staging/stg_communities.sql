-- The valid communities rows, typed and renamed; the rejected ones are in quarantine.
-- `name` keeps its source-contract name although SQL knows it as a keyword.
select
    id as community_id,
    trim(name) as name,  -- noqa: RF04
    coalesce(is_geo_restricted, false) as is_geo_restricted,
    allowed_countries,
    created_at,
    updated_at,
    _partition,
    _loaded_at
from {{ ref('chk_communities') }}
where _is_valid
