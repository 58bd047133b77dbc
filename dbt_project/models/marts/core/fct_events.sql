{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_days_to_rebuild('event_date', event_days_to_rebuild()) }}",
        post_hook="{{ record_watermarks(['chk_events']) }}",
        indexes=[
            {'columns': ['event_id'], 'unique': True},
            {'columns': ['event_date']},
            {'columns': ["(occurred_at at time zone 'UTC')"]},
            {'columns': ['user_id', 'occurred_at']},
            {'columns': ['user_id', 'event_name', "(occurred_at at time zone 'UTC')"]},
            {'columns': ['session_id']},
        ],
    )
}}
-- One row per valid product event. Daily partitions: a run rebuilds the days that the rows
-- loaded in its window can change (see macros/utils/affected_days.sql).
-- The day index serves the rebuild; the others serve the metric models (macros/metrics),
-- so that a daily run reads the days of its window and lookback, not the whole fact: the
-- UTC time they filter on, a user's events (first activity, cohorts), a user's first goal
-- event (experiments), a session's events (durations).
select
    event_id,
    user_id,
    session_id,
    event_type,
    event_name,
    page_url,
    properties,
    occurred_at,
    received_at,
    {{ utc_date('occurred_at') }} as event_date,
    {{ interval_seconds('received_at - occurred_at') }} as arrival_delay_seconds
from {{ ref('stg_events') }}
{% if is_incremental() %}
    where {{ utc_date('occurred_at') }} in {{ rebuilt_days() }}
{% endif %}
