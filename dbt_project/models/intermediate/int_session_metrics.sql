-- Every valid app session with its duration, events and bounce flag (METRICS.md
-- engagement.sessions): duration = ended_at - started_at, or last event - started_at
-- while ended_at is null (0 without events); a bounce has fewer than 2 page views, no
-- conversion and lasts under 10 seconds.
-- Each session's events are counted by a lookup of that session (the checked events are
-- indexed by session), so a filter on the sessions' start day, as fct_sessions' rebuild
-- of a few days, reads those sessions' events only, never every event.
with measured as (
    select
        sessions.session_id,
        sessions.user_id,
        sessions.device_type,
        sessions.started_at,
        sessions.ended_at,
        sessions.country_code,
        sessions.city,
        session_events.events,
        session_events.page_views,
        session_events.conversions,
        case
            when sessions.ended_at is not null
                then {{ interval_seconds('sessions.ended_at - sessions.started_at') }}
            when session_events.last_event_at is not null
                then {{ interval_seconds('session_events.last_event_at - sessions.started_at') }}
            else 0
        end as duration_seconds
    from {{ ref('stg_app_sessions') }} as sessions
    cross join lateral (
        select
            count(*) as events,
            count(*) filter (where events.event_type = 'page_view') as page_views,
            count(*) filter (where events.event_type = 'conversion') as conversions,
            max(events.occurred_at) as last_event_at
        from {{ ref('stg_events') }} as events
        where events.session_id = sessions.session_id
    ) as session_events
)

select
    *,
    {{ utc_date('started_at') }} as session_date,
    page_views < 2 and conversions = 0 and duration_seconds < 10 as is_bounce
from measured
