-- The valid error_logs rows, typed and renamed; the rejected ones are in quarantine.
-- `method` keeps its source-contract name although SQL knows it as a keyword.
select
    id as error_id,
    user_id,
    level,
    message,
    stack_trace,
    url,
    upper(method) as method,  -- noqa: RF04
    status_code,
    ip_address,
    user_agent,
    occurred_at,
    resolved_at,
    updated_at,
    _partition,
    _loaded_at
from {{ ref('chk_error_logs') }}
where _is_valid
