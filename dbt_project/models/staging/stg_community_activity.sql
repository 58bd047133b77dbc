-- The valid community_activity rows, typed and renamed; the rejected ones are in quarantine.
select
    id as activity_id,
    community_id,
    user_id,
    activity_type,
    occurred_at,
    _partition,
    _loaded_at
from {{ ref('chk_community_activity') }}
where _is_valid
