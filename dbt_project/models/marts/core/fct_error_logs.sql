-- One row per valid application error. IP address and user agent are PII and are left
-- out; so is the stack trace (it may hold request data).
select
    error_id,
    user_id,
    level,
    message,
    url,
    method,
    status_code,
    occurred_at,
    {{ utc_date('occurred_at') }} as error_date,
    resolved_at,
    resolved_at is not null as is_resolved,
    updated_at
from {{ ref('stg_error_logs') }}
