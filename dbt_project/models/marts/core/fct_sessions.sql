{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_days_to_rebuild('session_date', session_days_to_rebuild()) }}",
        post_hook="{{ record_watermarks(['chk_app_sessions', 'chk_events']) }}",
        indexes=[{'columns': ['session_date']}, {'columns': ['session_id'], 'unique': True}, {'columns': ['user_id']}],
    )
}}
-- One row per valid app session with duration and bounce flag (METRICS.md
-- engagement.sessions). The IP address is PII and is left out. Daily partitions by start
-- day: a run rebuilds the days of the sessions, and of the sessions' events, checked since
-- it last ran (macros/utils/affected_days.sql). Indexed by day (the rebuild, the marts
-- that read a day), session (durations) and user.
select
    session_id,
    user_id,
    device_type,
    started_at,
    ended_at,
    session_date,
    duration_seconds,
    events,
    page_views,
    conversions,
    is_bounce,
    country_code,
    city
from {{ ref('int_session_metrics') }}
{% if is_incremental() %}
    where session_date = any(array(select rebuilt.day from {{ rebuilt_days() }} as rebuilt))
{% endif %}
