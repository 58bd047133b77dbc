-- Active days: a non-admin user with at least one valid event on that UTC day
-- (METRICS.md ground rules). One row per user and active day.
select
    events.user_id,
    {{ utc_date('events.occurred_at') }} as activity_date,
    count(*) as events,
    min(events.occurred_at) as first_event_at,
    max(events.occurred_at) as last_event_at
from {{ ref('stg_events') }} as events
inner join {{ ref('stg_users') }} as user_accounts
    on events.user_id = user_accounts.user_id
where not user_accounts.is_internal
group by events.user_id, {{ utc_date('events.occurred_at') }}
