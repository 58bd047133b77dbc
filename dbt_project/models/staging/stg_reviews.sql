-- The valid reviews rows, typed and renamed; the rejected ones are in quarantine.
select
    id as review_id,
    user_id,
    content_id,
    mentor_id,
    rating,
    body,
    created_at,
    _partition,
    _loaded_at
from {{ ref('chk_reviews') }}
where _is_valid
