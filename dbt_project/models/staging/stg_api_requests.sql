-- The valid api_requests rows, typed and renamed; the rejected ones are in quarantine.
-- `method` keeps its source-contract name although SQL knows it as a keyword.
select
    id as request_id,
    upper(method) as method,  -- noqa: RF04
    path,
    status_code,
    response_ms,
    user_id,
    occurred_at,
    _partition,
    _loaded_at
from {{ ref('chk_api_requests') }}
where _is_valid
