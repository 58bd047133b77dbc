-- Per non-admin user and day, from the user's first activity (first valid event or
-- practice attempt) to the last processed day (or the day the account was deleted):
-- cumulative practice progress at the end of that day. Attempts count on the day they
-- started, as in the learning.attempts metric.
with range as (
    select as_of_date from {{ ref('int_processed_range') }}
),

users as (
    select
        user_id,
        {{ utc_date('deleted_at') }} as deleted_date
    from {{ ref('stg_users') }}
    where not is_internal
),

attempts as (
    select
        attempts.user_id,
        attempts.attempt_date as activity_day,
        count(*) filter (where attempts.status = 'completed') as completed,
        sum(attempts.score) filter (where attempts.status = 'completed' and attempts.score is not null) as score_sum,
        count(attempts.score) filter (where attempts.status = 'completed') as scored,
        sum(attempts.duration_seconds) as duration_seconds
    from {{ ref('fct_practice_attempts') }} as attempts
    group by attempts.user_id, attempts.attempt_date
),

active as (
    select
        user_id,
        activity_date as activity_day
    from {{ ref('user_daily_activity') }}
),

first_activity as (
    select
        activity.user_id,
        min(activity.activity_day) as first_day
    from (
        select
            user_id,
            activity_day
        from attempts
        union all
        select
            user_id,
            activity_day
        from active
    ) as activity
    group by activity.user_id
),

spine as (
    select
        first_activity.user_id,
        series.day_start::date as activity_date
    from first_activity
    inner join users
        on first_activity.user_id = users.user_id
    cross join range
    cross join lateral generate_series(
        first_activity.first_day::timestamp,
        least(range.as_of_date, coalesce(users.deleted_date, range.as_of_date))::timestamp,
        interval '1 day'
    ) as series (day_start)
),

daily as (
    select
        spine.user_id,
        spine.activity_date,
        coalesce(attempts.completed, 0) as completed,
        coalesce(attempts.score_sum, 0) as score_sum,
        coalesce(attempts.scored, 0) as scored,
        coalesce(attempts.duration_seconds, 0) as duration_seconds,
        active.activity_day as active_day
    from spine
    left join attempts
        on spine.user_id = attempts.user_id and spine.activity_date = attempts.activity_day
    left join active
        on spine.user_id = active.user_id and spine.activity_date = active.activity_day
)

select
    user_id,
    activity_date,
    sum(completed) over history as sessions_completed,
    round(sum(score_sum) over history / nullif(sum(scored) over history, 0), 2) as average_score,
    round(sum(duration_seconds) over history / 60.0, 2) as practice_minutes,
    max(active_day) over history as last_active
from daily
window history as (partition by user_id order by activity_date rows between unbounded preceding and current row)
