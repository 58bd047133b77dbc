-- Every valid app session with its duration, events and bounce flag (METRICS.md
-- engagement.sessions): duration = ended_at - started_at, or last event - started_at
-- while ended_at is null (0 without events); a bounce has fewer than 2 page views, no
-- conversion and lasts under 10 seconds.
with session_events as (
    select
        session_id,
        count(*) as events,
        count(*) filter (where event_type = 'page_view') as page_views,
        count(*) filter (where event_type = 'conversion') as conversions,
        max(occurred_at) as last_event_at
    from {{ ref('stg_events') }}
    where session_id is not null
    group by session_id
),

measured as (
    select
        sessions.session_id,
        sessions.user_id,
        sessions.device_type,
        sessions.started_at,
        sessions.ended_at,
        sessions.country_code,
        sessions.city,
        coalesce(session_events.events, 0) as events,
        coalesce(session_events.page_views, 0) as page_views,
        coalesce(session_events.conversions, 0) as conversions,
        case
            when sessions.ended_at is not null
                then {{ interval_seconds('sessions.ended_at - sessions.started_at') }}
            when session_events.last_event_at is not null
                then {{ interval_seconds('session_events.last_event_at - sessions.started_at') }}
            else 0
        end as duration_seconds
    from {{ ref('stg_app_sessions') }} as sessions
    left join session_events
        on sessions.session_id = session_events.session_id
)

select
    *,
    {{ utc_date('started_at') }} as session_date,
    page_views < 2 and conversions = 0 and duration_seconds < 10 as is_bounce
from measured
