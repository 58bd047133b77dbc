-- The valid experiments rows, typed and renamed; the rejected ones are in quarantine.
select
    id as experiment_id,
    key as experiment_key,
    name,
    variants,
    traffic_split,
    trim(goal_event) as goal_event,
    started_at,
    ended_at,
    updated_at,
    _partition,
    _loaded_at
from {{ ref('chk_experiments') }}
where _is_valid
