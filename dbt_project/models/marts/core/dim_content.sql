-- One row per valid course, scenario or exam.
select
    content_id,
    kind,
    title,
    difficulty,
    skill_area,
    mentor_id,
    is_published,
    created_at,
    updated_at
from {{ ref('stg_content') }}
