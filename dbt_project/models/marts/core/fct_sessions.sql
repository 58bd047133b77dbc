{{ config(indexes=[{'columns': ['session_date']}]) }}
-- One row per valid app session with duration and bounce flag (METRICS.md
-- engagement.sessions). The IP address is PII and is left out. Indexed by day: the
-- incremental marts read the days they rebuild.
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
