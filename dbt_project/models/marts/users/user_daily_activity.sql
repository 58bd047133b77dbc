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
    coalesce(events.page_views, 0) as page_views,
    coalesce(events.actions, 0) as actions,
    events.last_event_at,
    coalesce(sessions.sessions, 0) as sessions,
    coalesce(sessions.time_spent_seconds, 0) as time_spent_seconds,
    coalesce(community.community_views, 0) as community_views,
    coalesce(community.community_interactions, 0) as community_interactions,
    coalesce(geo.geo_blocked_attempts, 0) as geo_blocked_attempts,
    coalesce(geo.countries, 0) as countries,
    coalesce(geo.travel_detected, false) as travel_detected
from active
left join events
    on active.user_id = events.user_id and active.activity_date = events.activity_date
left join sessions
    on active.user_id = sessions.user_id and active.activity_date = sessions.activity_date
left join community
    on active.user_id = community.user_id and active.activity_date = community.activity_date
left join geo
    on active.user_id = geo.user_id and active.activity_date = geo.activity_date
