-- The valid events rows, typed and renamed; the rejected ones are in quarantine.
select
    id as event_id,
    user_id,
    session_id,
    event_type,
    trim(event_name) as event_name,
    page_url,
    properties,
    occurred_at,
    received_at,
    _partition,
    _loaded_at
from {{ ref('chk_events') }}
where _is_valid
