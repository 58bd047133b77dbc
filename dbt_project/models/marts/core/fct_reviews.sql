-- One row per valid review of a piece of content or of a mentor. The free text is left
-- out of the marts (it may name people).
select
    review_id,
    user_id,
    content_id,
    mentor_id,
    case when content_id is not null then 'content' else 'mentor' end as target_type,
    rating,
    created_at,
    {{ utc_date('created_at') }} as review_date
from {{ ref('stg_reviews') }}
