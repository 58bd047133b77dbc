{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_days_to_rebuild('date_day', platform_days_to_rebuild()) }}",
        post_hook=[
            "{{ record_watermarks(platform_checked_models()) }}",
            "{{ record_rebuilt_watermarks(platform_read_marts()) }}",
            "analyze {{ this }}",
        ],
        indexes=[{'columns': ['date_day'], 'unique': True}],
    )
}}
-- depends_on: {{ ref('chk_users') }}
-- The platform's day-grain totals that come from the day's rows (and, for weekly and
-- monthly active users, the 30 days before): one row per day, rebuilt by affected day
-- (macros/utils/affected_days.sql), so a daily run reads its days, not the history.
-- daily_platform adds what follows from the users alone (new and total users, returning
-- users). Rows of admin users are left out of every user-attributed count; errors and API
-- requests are system totals and count every row.
with days as (
    {% if is_incremental() %}
        select rebuilt.day as date_day from {{ rebuilt_days() }} as rebuilt
    {% else %}
        {{ processed_days() }}
    {% endif %}
),

users as (
    select * from {{ ref('dim_users') }}
    where not is_internal
),

active as (
    select
        activity.user_id,
        activity.activity_date
    from {{ ref('user_daily_activity') }} as activity
    where
        activity.activity_date >= (select min(days.date_day) - 29 from days)
        and activity.activity_date <= (select max(days.date_day) from days)
),

dau as (
    select
        active.activity_date as date_day,
        count(*) as active_users
    from active
    where active.activity_date = any(array(select days.date_day from days))
    group by active.activity_date
),

rolling as (
    select
        days.date_day,
        count(distinct active.user_id) filter (where active.activity_date > days.date_day - 7) as wau,
        count(distinct active.user_id) as mau
    from days
    inner join active
        on active.activity_date > days.date_day - 30 and days.date_day >= active.activity_date
    group by days.date_day
),

sessions as (
    select
        sessions.session_date as date_day,
        count(*) as sessions,
        count(distinct sessions.user_id) as session_users,
        avg(sessions.duration_seconds) as avg_session_seconds,
        percentile_cont(0.5) within group (order by sessions.duration_seconds) as median_session_seconds,
        avg(case when sessions.is_bounce then 1.0 else 0.0 end) as bounce_rate
    from {{ ref('fct_sessions') }} as sessions
    inner join users on sessions.user_id = users.user_id
    where sessions.session_date = any(array(select days.date_day from days))
    group by sessions.session_date
),

attempts as (
    select
        attempts.attempt_date as date_day,
        count(*) as attempts,
        count(*) filter (where attempts.status = 'completed') as completed_attempts,
        count(*) filter (where attempts.status = 'abandoned') as abandoned_attempts,
        avg(attempts.score) filter (where attempts.status = 'completed') as avg_score,
        count(*) filter (where attempts.is_perfect) as perfect_scores,
        coalesce(sum(attempts.duration_seconds), 0) / 60.0 as practice_minutes,
        count(distinct attempts.user_id) as learners
    from {{ ref('fct_practice_attempts') }} as attempts
    inner join users on attempts.user_id = users.user_id
    where attempts.attempt_date = any(array(select days.date_day from days))
    group by attempts.attempt_date
),

mentoring as (
    select
        scheduled_date as date_day,
        count(*) as mentor_sessions,
        count(*) filter (where status = 'scheduled') as mentor_sessions_scheduled,
        count(*) filter (where status = 'completed') as mentor_sessions_completed,
        count(*) filter (where status = 'cancelled') as mentor_sessions_cancelled,
        count(*) filter (where status = 'no_show') as mentor_sessions_no_show
    from {{ ref('fct_mentor_sessions') }}
    where
        student_id in (select users.user_id from users)
        and scheduled_date = any(array(select days.date_day from days))
    group by scheduled_date
),

reviews as (
    select
        review_date as date_day,
        count(*) as reviews,
        avg(rating) as average_rating
    from {{ ref('fct_reviews') }}
    where
        user_id in (select users.user_id from users)
        and review_date = any(array(select days.date_day from days))
    group by review_date
),

latest_nps as (
    select distinct on (user_id, response_date)
        response_date as date_day,
        category
    from {{ ref('fct_nps_responses') }}
    where
        user_id in (select users.user_id from users)
        and response_date = any(array(select days.date_day from days))
    order by user_id asc, response_date asc, created_at desc, response_id desc
),

nps as (
    select
        date_day,
        count(*) as nps_responses,
        count(*) filter (where category = 'promoter') as promoters,
        count(*) filter (where category = 'passive') as passives,
        count(*) filter (where category = 'detractor') as detractors
    from latest_nps
    group by date_day
),

errors as (
    select
        error_date as date_day,
        count(*) as errors,
        count(*) filter (where level = 'warning') as errors_warning,
        count(*) filter (where level = 'error') as errors_error,
        count(*) filter (where level = 'critical') as errors_critical,
        count(*) filter (
            where resolved_at is null or resolved_at >= {{ day_start('error_date + 1') }}
        ) as errors_unresolved
    from {{ ref('fct_error_logs') }}
    where error_date = any(array(select days.date_day from days))
    group by error_date
),

api as (
    select
        request_date as date_day,
        count(*) as api_requests,
        avg(response_ms) as avg_response_ms,
        percentile_cont(0.95) within group (order by response_ms) as p95_response_ms,
        avg(case when is_server_error then 1.0 else 0.0 end) as server_error_rate,
        avg(case when is_client_error then 1.0 else 0.0 end) as client_error_rate
    from {{ ref('fct_api_requests') }}
    where request_date = any(array(select days.date_day from days))
    group by request_date
),

community as (
    select
        activity_date as date_day,
        count(*) as community_activities,
        count(distinct user_id) as community_active_members
    from {{ ref('fct_community_activity') }}
    where
        user_id in (select users.user_id from users)
        and activity_date = any(array(select days.date_day from days))
    group by activity_date
),

geo as (
    select
        attempt_date as date_day,
        count(*) as geo_attempts,
        count(*) filter (where is_blocked) as geo_blocked,
        count(*) filter (where is_traveler) as geo_traveler_attempts
    from {{ ref('fct_geo_access_attempts') }}
    where
        user_id in (select users.user_id from users)
        and attempt_date = any(array(select days.date_day from days))
    group by attempt_date
),

payments as (
    select
        payments.payment_date as date_day,
        count(*) filter (where payments.status = 'succeeded') as succeeded_payments,
        count(*) filter (where payments.status = 'refunded') as refunds,
        count(distinct payments.user_id) filter (where payments.status = 'succeeded') as paying_users
    from {{ ref('fct_payments') }} as payments
    inner join users on payments.user_id = users.user_id
    where payments.payment_date = any(array(select days.date_day from days))
    group by payments.payment_date
)

select
    days.date_day,
    coalesce(dau.active_users, 0) as active_users,
    coalesce(rolling.wau, 0) as wau,
    coalesce(rolling.mau, 0) as mau,
    coalesce(sessions.sessions, 0) as sessions,
    coalesce(sessions.session_users, 0) as session_users,
    sessions.avg_session_seconds,
    sessions.median_session_seconds,
    sessions.bounce_rate,
    coalesce(attempts.attempts, 0) as attempts,
    coalesce(attempts.completed_attempts, 0) as completed_attempts,
    coalesce(attempts.abandoned_attempts, 0) as abandoned_attempts,
    attempts.avg_score,
    coalesce(attempts.perfect_scores, 0) as perfect_scores,
    coalesce(attempts.practice_minutes, 0) as practice_minutes,
    coalesce(attempts.learners, 0) as learners,
    coalesce(mentoring.mentor_sessions, 0) as mentor_sessions,
    coalesce(mentoring.mentor_sessions_scheduled, 0) as mentor_sessions_scheduled,
    coalesce(mentoring.mentor_sessions_completed, 0) as mentor_sessions_completed,
    coalesce(mentoring.mentor_sessions_cancelled, 0) as mentor_sessions_cancelled,
    coalesce(mentoring.mentor_sessions_no_show, 0) as mentor_sessions_no_show,
    coalesce(reviews.reviews, 0) as reviews,
    reviews.average_rating,
    coalesce(nps.nps_responses, 0) as nps_responses,
    coalesce(nps.promoters, 0) as promoters,
    coalesce(nps.passives, 0) as passives,
    coalesce(nps.detractors, 0) as detractors,
    coalesce(errors.errors, 0) as errors,
    coalesce(errors.errors_warning, 0) as errors_warning,
    coalesce(errors.errors_error, 0) as errors_error,
    coalesce(errors.errors_critical, 0) as errors_critical,
    coalesce(errors.errors_unresolved, 0) as errors_unresolved,
    coalesce(api.api_requests, 0) as api_requests,
    api.avg_response_ms,
    api.p95_response_ms,
    api.server_error_rate,
    api.client_error_rate,
    coalesce(community.community_activities, 0) as community_activities,
    coalesce(community.community_active_members, 0) as community_active_members,
    coalesce(geo.geo_attempts, 0) as geo_attempts,
    coalesce(geo.geo_blocked, 0) as geo_blocked,
    coalesce(geo.geo_traveler_attempts, 0) as geo_traveler_attempts,
    coalesce(payments.succeeded_payments, 0) as succeeded_payments,
    coalesce(payments.refunds, 0) as refunds,
    coalesce(payments.paying_users, 0) as paying_users
from days
left join dau on days.date_day = dau.date_day
left join rolling on days.date_day = rolling.date_day
left join sessions on days.date_day = sessions.date_day
left join attempts on days.date_day = attempts.date_day
left join mentoring on days.date_day = mentoring.date_day
left join reviews on days.date_day = reviews.date_day
left join nps on days.date_day = nps.date_day
left join errors on days.date_day = errors.date_day
left join api on days.date_day = api.date_day
left join community on days.date_day = community.date_day
left join geo on days.date_day = geo.date_day
left join payments on days.date_day = payments.date_day
