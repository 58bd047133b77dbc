-- One row per valid course enrollment, with progress.
select
    enrollment_id,
    user_id,
    content_id,
    enrolled_at,
    {{ utc_date('enrolled_at') }} as enrollment_date,
    progress_pct,
    completed_at,
    completed_at is not null as is_completed,
    updated_at
from {{ ref('stg_enrollments') }}
