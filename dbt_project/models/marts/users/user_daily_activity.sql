{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_days_to_rebuild('activity_date', user_activity_days_to_rebuild()) }}",
        post_hook="{{ record_watermarks(user_activity_checked_models()) }}",
        indexes=[{'columns': ['activity_date']}, {'columns': ['user_id', 'activity_date'], 'unique': True}],
    )
}}
-- One row per non-admin user and active day (a day with a valid event): what the user did
-- that day. Daily partitions, rebuilt by affected day (macros/utils/affected_days.sql: the
-- pre-hook deletes the days, the select appends them again);
-- every input is read for those days only (`= any(array(...))` reaches the inputs' day
-- indexes, through the grouped view int_user_active_days too, where `in` did not).
with days_to_build (activity_date) as (
    {% if is_incremental() %}
        select days_rebuilt.day from {{ rebuilt_days() }} as days_rebuilt
    {% else %}
        select distinct activity_date from {{ ref('int_user_active_days') }}
    {% endif %}
),

active as (
    select
        user_id,
        activity_date
    from {{ ref('int_user_active_days') }}
    where activity_date = any(array(select days_to_build.activity_date from days_to_build))
),

events as (
    select
        user_id,
        {{ utc_date('occurred_at') }} as activity_date,
        count(*) filter (where event_type = 'page_view') as page_views,
        count(*) as actions,
        max(occurred_at) as last_event_at
    from {{ ref('stg_events') }}
    where
        user_id is not null
        and {{ utc_date('occurred_at') }} = any(array(select days_to_build.activity_date from days_to_build))
    group by user_id, {{ utc_date('occurred_at') }}
),

sessions as (
    select
        user_id,
        session_date as activity_date,
        count(*) as sessions,
        sum(duration_seconds) as time_spent_seconds
    from {{ ref('fct_sessions') }}
    where session_date = any(array(select days_to_build.activity_date from days_to_build))
    group by user_id, session_date
),

community as (
    select
        user_id,
        {{ utc_date('occurred_at') }} as activity_date,
        count(*) filter (where activity_type = 'view') as community_views,
        count(*) filter (where activity_type <> 'view') as community_interactions
    from {{ ref('stg_community_activity') }}
    where {{ utc_date('occurred_at') }} = any(array(select days_to_build.activity_date from days_to_build))
    group by user_id, {{ utc_date('occurred_at') }}
),

geo as (
    select
        user_id,
        {{ utc_date('occurred_at') }} as activity_date,
        count(*) filter (where result = 'blocked') as geo_blocked_attempts,
        count(distinct country_code) as countries,
        bool_or(is_traveler) as travel_detected
    from {{ ref('stg_geo_access_attempts') }}
    where {{ utc_date('occurred_at') }} = any(array(select days_to_build.activity_date from days_to_build))
    group by user_id, {{ utc_date('occurred_at') }}
)

select
    active.user_id,
    active.activity_date,
    {{ coalesce_to_zero('events', ['page_views', 'actions']) }},
    events.last_event_at,
    {{ coalesce_to_zero('sessions', ['sessions', 'time_spent_seconds']) }},
    {{ coalesce_to_zero('community', ['community_views', 'community_interactions']) }},
    {{ coalesce_to_zero('geo', ['geo_blocked_attempts', 'countries']) }},
    coalesce(geo.travel_detected, false) as travel_detected
from active
{% for activity in ['events', 'sessions', 'community', 'geo'] %}
    left join {{ activity }}
        on active.user_id = {{ activity }}.user_id and active.activity_date = {{ activity }}.activity_date
{% endfor %}
