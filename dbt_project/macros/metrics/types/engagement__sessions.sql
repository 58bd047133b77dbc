{% macro metric_engagement_sessions(grain) -%}
  {#- engagement.sessions: sessions started in the bucket. Duration: ended_at - started_at,
      else last event of the session - started_at, else 0 (never negative). A bounce: fewer
      than 2 page views, no conversion, and under 10 seconds. -#}
with {{ metric_spine_ctes('engagement.sessions', grain) }},

sessions as (
    {{ metric_rows_in_spine('sessions', 's', 'started_at') }}
),

session_events as (
    select
        e.session_id,
        count(*) filter (where e.event_type = 'page_view') as page_views,
        count(*) filter (where e.event_type = 'conversion') as conversions,
        max(e.occurred_at) as last_event_at
    from {{ metric_input('events') }} as e
    where e.session_id in (select session_id from sessions)
    group by 1
),

durations as (
    select
        date_trunc('{{ grain }}', sessions.started_at) as time_bucket,
        sessions.user_id,
        sessions.device_type,
        greatest(0, extract(epoch from
            coalesce(sessions.ended_at, session_events.last_event_at, sessions.started_at)
            - sessions.started_at)) as duration_seconds,
        coalesce(session_events.page_views, 0) as page_views,
        coalesce(session_events.conversions, 0) as conversions
    from sessions
    left join session_events on sessions.session_id = session_events.session_id
),

per_bucket as (
    select
        time_bucket,
        count(*) as sessions,
        count(distinct user_id) as users,
        avg(duration_seconds) as avg_duration_seconds,
        percentile_cont(0.5) within group (order by duration_seconds) as median_duration_seconds,
        count(*) filter (
            where page_views < 2 and conversions = 0 and duration_seconds < 10
        ) as bounces,
        count(*) filter (where device_type = 'web') as web,
        count(*) filter (where device_type = 'ios') as ios,
        count(*) filter (where device_type = 'android') as android
    from durations
    group by 1
)

select
    spine.time_bucket,
    ''::text as dimension,
    {{ metric_counts('per_bucket', ['sessions', 'users']) }},
    per_bucket.avg_duration_seconds::numeric as avg_duration_seconds,
    per_bucket.median_duration_seconds::numeric as median_duration_seconds,
    {{ metric_ratio('per_bucket.bounces', 'per_bucket.sessions') }} as bounce_rate,
    jsonb_build_object(
        'web', coalesce(per_bucket.web, 0),
        'ios', coalesce(per_bucket.ios, 0),
        'android', coalesce(per_bucket.android, 0)
    ) as by_device
from spine
left join per_bucket on spine.time_bucket = per_bucket.time_bucket
{%- endmacro %}
