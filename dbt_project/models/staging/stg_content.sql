-- The valid content rows, typed and renamed; the rejected ones are in quarantine.
select
    id as content_id,
    kind,
    trim(title) as title,
    difficulty,
    skill_area,
    mentor_id,
    coalesce(is_published, false) as is_published,
    created_at,
    updated_at,
    _partition,
    _loaded_at
from {{ ref('chk_content') }}
where _is_valid
