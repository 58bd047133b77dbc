-- The valid nps_responses rows, typed and renamed; the rejected ones are in quarantine.
select
    id as response_id,
    user_id,
    score,
    comment,
    created_at,
    _partition,
    _loaded_at
from {{ ref('chk_nps_responses') }}
where _is_valid
