-- The valid community_memberships rows, typed and renamed; the rejected ones are in quarantine.
select
    community_id,
    user_id,
    joined_at,
    left_at,
    updated_at,
    _partition,
    _loaded_at
from {{ ref('chk_community_memberships') }}
where _is_valid
