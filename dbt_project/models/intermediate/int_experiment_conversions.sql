{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_assignments_to_recompute() }}",
        post_hook=[
            "{{ record_watermarks(['chk_experiment_assignments', 'chk_experiments']) }}",
            "{{ record_rebuilt_watermarks(['fct_events']) }}",
            "analyze {{ this }}",
        ],
        indexes=[{'columns': ['experiment_id', 'user_id'], 'unique': True}],
    )
}}
-- One row per valid experiment assignment with its first conversion: the user's first
-- event named the experiment's goal_event after assigned_at (null: not converted yet).
-- Incremental: a run recomputes only the assignments it can change
-- (macros/utils/affected_assignments.sql), one index probe of fct_events each, so that
-- experiments.results reads one row per assignment instead of the goal events of history.
with assignments as (
    select
        assignments.experiment_id,
        assignments.user_id,
        assignments.variant,
        assignments.assigned_at,
        experiments.goal_event
    from {{ ref('fct_experiment_assignments') }} as assignments
    inner join {{ ref('dim_experiments') }} as experiments
        on assignments.experiment_id = experiments.experiment_id
    {% if is_incremental() %}
        inner join {{ recomputed_assignments_table() }} as affected
            on assignments.experiment_id = affected.experiment_id
            and assignments.user_id = affected.user_id
    {% endif %}
)

select
    assignments.experiment_id,
    assignments.user_id,
    assignments.variant,
    assignments.assigned_at,
    (
        -- Ordered by the index's own expression, so the probe stops at the first match.
        select goal.occurred_at
        from {{ ref('fct_events') }} as goal
        where
            goal.user_id = assignments.user_id
            and goal.event_name = assignments.goal_event
            and (goal.occurred_at at time zone 'UTC') > (assignments.assigned_at at time zone 'UTC')
        order by (goal.occurred_at at time zone 'UTC')
        limit 1
    ) as converted_at
from assignments
