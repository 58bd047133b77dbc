-- One row per valid A/B experiment; the first variant is the control.
select
    experiment_id,
    experiment_key,
    name,
    variants,
    variants[1] as control_variant,
    traffic_split,
    goal_event,
    started_at,
    ended_at,
    updated_at
from {{ ref('stg_experiments') }}
