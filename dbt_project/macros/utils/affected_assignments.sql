{#
    The experiment assignments whose first conversion a run can change
    (int_experiment_conversions): a conversion is the assigned user's first goal event
    after the assignment, so it changes only where a goal event was added or removed, or
    where the assignment or its experiment changed. Each is found from what changed since
    the model last read it (macros/utils/watermarks.sql), never from all of history:
    - assignments of users with a goal event on a day fct_events rebuilt since;
    - conversions recorded on such a day (their event may be gone);
    - assignments checked since (loaded, changed, or their experiment changed: the check
      re-checks an experiment's assignments when it changes) and every assignment of an
      experiment checked since.
#}
{% macro assignments_to_recompute() -%}
    select assignments.experiment_id, assignments.user_id
    from (
        select distinct events.user_id, events.event_name
        from {{ ref('fct_events') }} as events
        where events.event_date in ({{ rebuilt_since_last_build('fct_events') }})
            and events.event_name in (select goal.goal_event from {{ ref('dim_experiments') }} as goal)
    ) as goal_events
    inner join {{ ref('dim_experiments') }} as experiments
        on goal_events.event_name = experiments.goal_event
    inner join {{ ref('fct_experiment_assignments') }} as assignments
        on experiments.experiment_id = assignments.experiment_id
        and goal_events.user_id = assignments.user_id
    union
    select recorded.experiment_id, recorded.user_id
    from {{ this }} as recorded
    where {{ utc_date('recorded.converted_at') }} in ({{ rebuilt_since_last_build('fct_events') }})
    union
    select fresh.experiment_id, fresh.user_id
    from {{ checked_since_last_build('chk_experiment_assignments') }} as fresh
    union
    select recorded.experiment_id, recorded.user_id
    from {{ this }} as recorded
    where recorded.experiment_id in (
        select fresh.id from {{ checked_since_last_build('chk_experiments') }} as fresh
    )
    union
    select assignments.experiment_id, assignments.user_id
    from {{ ref('fct_experiment_assignments') }} as assignments
    where assignments.experiment_id in (
        select fresh.id from {{ checked_since_last_build('chk_experiments') }} as fresh
    )
{%- endmacro %}

{# The temporary table of the assignments this build recomputes (the pre-hook fills it). #}
{% macro recomputed_assignments_table() -%}
    {{ this.identifier }}__to_recompute
{%- endmacro %}

{#
    Pre-hook: keep the assignments to recompute in a temporary table (the model's select
    reads it), then delete their rows, including those of assignments that are gone.
#}
{% macro delete_assignments_to_recompute() -%}
    {% if is_incremental() %}
    create temporary table {{ recomputed_assignments_table() }} on commit drop as
    select distinct experiment_id, user_id
    from ({{ assignments_to_recompute() }}) as affected
    where experiment_id is not null and user_id is not null;
    analyze {{ recomputed_assignments_table() }};
    delete from {{ this }} as recorded
    using {{ recomputed_assignments_table() }} as affected
    where recorded.experiment_id = affected.experiment_id and recorded.user_id = affected.user_id
    {% endif %}
{%- endmacro %}
