-- One wide row per day of the processed range with the platform's day-grain totals
-- (METRICS.md), typed, for BI tools that dislike JSON. A day without activity has its row
-- with zeros; a rate whose denominator is 0 is null. Admins count in no user metric.
-- Money is per currency and lives in fct_payments / the revenue metric, not here.
-- The totals of the day's rows come from int_platform_day_totals, rebuilt by affected day;
-- what follows from the users alone is computed here, one row per user or day: new and
-- total users, and returning users (active that day, first active before).
with days as (
    {{ processed_days() }}
),

users as (
    select
        *,
        {{ utc_date('deleted_at') }} as deleted_date
    from {{ ref('dim_users') }}
    where not is_internal
),

new_users as (
    select
        signup_date as date_day,
        count(*) as new_users,
        {{ count_each('role', ['student', 'mentor'], prefix='new_', suffix='s') }}
    from users
    group by signup_date
),

-- A user counts from the day of their creation until the day before their deletion.
user_count_changes as (
    select
        signup_date as date_day,
        count(*) as delta
    from users
    group by signup_date
    union all
    select
        greatest(signup_date, deleted_date) as date_day,
        -count(*) as delta
    from users
    where deleted_date is not null
    group by greatest(signup_date, deleted_date)
),

user_counts as (
    select
        date_day,
        sum(sum(delta)) over (order by date_day) as total_users
    from user_count_changes
    group by date_day
),

total_users as (
    select
        days.date_day,
        coalesce((
            select user_counts.total_users
            from user_counts
            where user_counts.date_day <= days.date_day
            order by user_counts.date_day desc
            limit 1
        ), 0) as total_users
    from days
),

-- One probe per user of the index (user_id, activity_date) of user_daily_activity.
first_active as (
    select
        (
            select min(activity.activity_date)
            from {{ ref('user_daily_activity') }} as activity
            where activity.user_id = user_accounts.user_id
        ) as first_date
    from {{ ref('stg_users') }} as user_accounts
    where not user_accounts.is_internal
),

first_timers as (
    select
        first_date as date_day,
        count(*) as first_timers
    from first_active
    where first_date is not null
    group by first_date
),

totals as (
    select
        day_totals.*,
        day_totals.active_users - coalesce(first_timers.first_timers, 0) as returning_users
    from {{ ref('int_platform_day_totals') }} as day_totals
    left join first_timers on day_totals.date_day = first_timers.date_day
)

select
    days.date_day,
    {{ coalesce_to_zero('new_users', ['new_users', 'new_students', 'new_mentors']) }},
    total_users.total_users,
    {{ coalesce_to_zero('totals', ['active_users', 'wau', 'mau']) }},
    round(coalesce(totals.active_users, 0)::numeric / nullif(totals.mau, 0), 4) as stickiness,
    coalesce(totals.returning_users, 0) as returning_users,
    round(totals.returning_users::numeric / nullif(totals.active_users, 0), 4) as return_rate,
    {{ coalesce_to_zero('totals', ['sessions', 'session_users']) }},
    round(totals.avg_session_seconds, 2) as avg_session_seconds,
    round(totals.median_session_seconds::numeric, 2) as median_session_seconds,
    round(totals.bounce_rate, 4) as bounce_rate,
    {{ coalesce_to_zero('totals', ['attempts', 'completed_attempts', 'abandoned_attempts']) }},
    round(
        totals.completed_attempts::numeric
        / nullif(totals.completed_attempts + totals.abandoned_attempts, 0), 4
    ) as completion_rate,
    round(totals.avg_score, 2) as avg_score,
    coalesce(totals.perfect_scores, 0) as perfect_scores,
    round(coalesce(totals.practice_minutes, 0), 2) as practice_minutes,
    {{ coalesce_to_zero('totals', [
        'learners', 'mentor_sessions', 'mentor_sessions_scheduled', 'mentor_sessions_completed',
        'mentor_sessions_cancelled', 'mentor_sessions_no_show',
    ]) }},
    round(
        totals.mentor_sessions_completed::numeric
        / nullif(totals.mentor_sessions - totals.mentor_sessions_scheduled, 0), 4
    ) as mentoring_completion_rate,
    coalesce(totals.reviews, 0) as reviews,
    round(totals.average_rating, 2) as average_rating,
    {{ coalesce_to_zero('totals', ['nps_responses', 'promoters', 'passives', 'detractors']) }},
    round((totals.promoters - totals.detractors) * 100.0 / nullif(totals.nps_responses, 0), 1) as nps,
    {{ coalesce_to_zero('totals', [
        'errors', 'errors_warning', 'errors_error', 'errors_critical', 'errors_unresolved', 'api_requests',
    ]) }},
    round(totals.avg_response_ms, 2) as avg_response_ms,
    round(totals.p95_response_ms::numeric, 2) as p95_response_ms,
    round(totals.server_error_rate, 4) as server_error_rate,
    round(totals.client_error_rate, 4) as client_error_rate,
    {{ coalesce_to_zero('totals', [
        'community_activities', 'community_active_members', 'geo_attempts', 'geo_blocked', 'geo_traveler_attempts',
    ]) }},
    round(totals.geo_blocked * 100.0 / nullif(totals.geo_attempts, 0), 2) as geo_blocked_pct,
    {{ coalesce_to_zero('totals', ['succeeded_payments', 'refunds', 'paying_users']) }}
from days
left join new_users on days.date_day = new_users.date_day
left join total_users on days.date_day = total_users.date_day
left join totals on days.date_day = totals.date_day
