-- One wide row per day of the processed range with the platform's day-grain totals
-- (METRICS.md), typed, for BI tools that dislike JSON. A day without activity has its row
-- with zeros; a rate whose denominator is 0 is null. Admins count in no user metric.
-- Money is per currency and lives in fct_payments / the revenue metric, not here.
-- Rows of admin users are left out of every user-attributed count; errors and API
-- requests are system totals and count every row.
with range as (
    select
        first_date,
        as_of_date
    from {{ ref('int_processed_range') }}
),

days as (
    select spine.date_day
    from range
    cross join lateral ({{ date_spine('range.first_date', 'range.as_of_date + 1') }}) as spine
),

users as (
    select * from {{ ref('dim_users') }}
    where not is_internal
),

new_users as (
    select
        signup_date as date_day,
        count(*) as new_users,
        count(*) filter (where role = 'student') as new_students,
        count(*) filter (where role = 'mentor') as new_mentors
    from users
    group by signup_date
),

total_users as (
    select
        days.date_day,
        count(users.user_id) as total_users
    from days
    left join users
        on
            users.created_at < {{ day_start('days.date_day + 1') }}
            and (users.deleted_at is null or users.deleted_at >= {{ day_start('days.date_day + 1') }})
    group by days.date_day
),

active as (
    select
        user_id,
        activity_date
    from {{ ref('int_user_active_days') }}
),

first_active as (
    select
        user_id,
        min(activity_date) as first_date
    from active
    group by user_id
),

dau as (
    select
        active.activity_date as date_day,
        count(*) as active_users,
        count(*) filter (where active.activity_date > first_active.first_date) as returning_users
    from active
    inner join first_active on active.user_id = first_active.user_id
    group by active.activity_date
),

rolling as (
    select
        days.date_day,
        count(distinct active.user_id) filter (where active.activity_date > days.date_day - 7) as wau,
        count(distinct active.user_id) as mau
    from days
    left join active
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
    where student_id in (select users.user_id from users)
    group by scheduled_date
),

reviews as (
    select
        review_date as date_day,
        count(*) as reviews,
        avg(rating) as average_rating
    from {{ ref('fct_reviews') }}
    where user_id in (select users.user_id from users)
    group by review_date
),

latest_nps as (
    select distinct on (user_id, response_date)
        response_date as date_day,
        category
    from {{ ref('fct_nps_responses') }}
    where user_id in (select users.user_id from users)
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
        days.date_day,
        count(errors.error_id) filter (where errors.error_date = days.date_day) as errors,
        count(errors.error_id) filter (where errors.error_date = days.date_day and errors.level = 'warning')
            as errors_warning,
        count(errors.error_id) filter (where errors.error_date = days.date_day and errors.level = 'error')
            as errors_error,
        count(errors.error_id) filter (where errors.error_date = days.date_day and errors.level = 'critical')
            as errors_critical,
        count(errors.error_id) filter (
            where errors.error_date = days.date_day
            and (errors.resolved_at is null or errors.resolved_at >= {{ day_start('days.date_day + 1') }})
        ) as errors_unresolved
    from days
    left join {{ ref('fct_error_logs') }} as errors
        on days.date_day = errors.error_date
    group by days.date_day
),

api as (
    select
        {{ utc_date('occurred_at') }} as date_day,
        count(*) as api_requests,
        avg(response_ms) as avg_response_ms,
        percentile_cont(0.95) within group (order by response_ms) as p95_response_ms,
        avg(case when status_code >= 500 then 1.0 else 0.0 end) as server_error_rate,
        avg(case when status_code >= 400 and status_code < 500 then 1.0 else 0.0 end) as client_error_rate
    from {{ ref('stg_api_requests') }}
    group by {{ utc_date('occurred_at') }}
),

community as (
    select
        activity_date as date_day,
        count(*) as community_activities,
        count(distinct user_id) as community_active_members
    from {{ ref('fct_community_activity') }}
    where user_id in (select users.user_id from users)
    group by activity_date
),

geo as (
    select
        attempt_date as date_day,
        count(*) as geo_attempts,
        count(*) filter (where is_blocked) as geo_blocked,
        count(*) filter (where is_traveler) as geo_traveler_attempts
    from {{ ref('fct_geo_access_attempts') }}
    where user_id in (select users.user_id from users)
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
    group by payments.payment_date
)

select
    days.date_day,
    coalesce(new_users.new_users, 0) as new_users,
    coalesce(new_users.new_students, 0) as new_students,
    coalesce(new_users.new_mentors, 0) as new_mentors,
    total_users.total_users,
    coalesce(dau.active_users, 0) as active_users,
    rolling.wau,
    rolling.mau,
    round(coalesce(dau.active_users, 0)::numeric / nullif(rolling.mau, 0), 4) as stickiness,
    coalesce(dau.returning_users, 0) as returning_users,
    round(dau.returning_users::numeric / nullif(dau.active_users, 0), 4) as return_rate,
    coalesce(sessions.sessions, 0) as sessions,
    coalesce(sessions.session_users, 0) as session_users,
    round(sessions.avg_session_seconds, 2) as avg_session_seconds,
    round(sessions.median_session_seconds::numeric, 2) as median_session_seconds,
    round(sessions.bounce_rate, 4) as bounce_rate,
    coalesce(attempts.attempts, 0) as attempts,
    coalesce(attempts.completed_attempts, 0) as completed_attempts,
    coalesce(attempts.abandoned_attempts, 0) as abandoned_attempts,
    round(
        attempts.completed_attempts::numeric
        / nullif(attempts.completed_attempts + attempts.abandoned_attempts, 0), 4
    ) as completion_rate,
    round(attempts.avg_score, 2) as avg_score,
    coalesce(attempts.perfect_scores, 0) as perfect_scores,
    round(coalesce(attempts.practice_minutes, 0), 2) as practice_minutes,
    coalesce(attempts.learners, 0) as learners,
    coalesce(mentoring.mentor_sessions, 0) as mentor_sessions,
    coalesce(mentoring.mentor_sessions_scheduled, 0) as mentor_sessions_scheduled,
    coalesce(mentoring.mentor_sessions_completed, 0) as mentor_sessions_completed,
    coalesce(mentoring.mentor_sessions_cancelled, 0) as mentor_sessions_cancelled,
    coalesce(mentoring.mentor_sessions_no_show, 0) as mentor_sessions_no_show,
    round(
        mentoring.mentor_sessions_completed::numeric
        / nullif(mentoring.mentor_sessions - mentoring.mentor_sessions_scheduled, 0), 4
    ) as mentoring_completion_rate,
    coalesce(reviews.reviews, 0) as reviews,
    round(reviews.average_rating, 2) as average_rating,
    coalesce(nps.nps_responses, 0) as nps_responses,
    coalesce(nps.promoters, 0) as promoters,
    coalesce(nps.passives, 0) as passives,
    coalesce(nps.detractors, 0) as detractors,
    round((nps.promoters - nps.detractors) * 100.0 / nullif(nps.nps_responses, 0), 1) as nps,
    errors.errors,
    errors.errors_warning,
    errors.errors_error,
    errors.errors_critical,
    errors.errors_unresolved,
    coalesce(api.api_requests, 0) as api_requests,
    round(api.avg_response_ms, 2) as avg_response_ms,
    round(api.p95_response_ms::numeric, 2) as p95_response_ms,
    round(api.server_error_rate, 4) as server_error_rate,
    round(api.client_error_rate, 4) as client_error_rate,
    coalesce(community.community_activities, 0) as community_activities,
    coalesce(community.community_active_members, 0) as community_active_members,
    coalesce(geo.geo_attempts, 0) as geo_attempts,
    coalesce(geo.geo_blocked, 0) as geo_blocked,
    coalesce(geo.geo_traveler_attempts, 0) as geo_traveler_attempts,
    round(geo.geo_blocked * 100.0 / nullif(geo.geo_attempts, 0), 2) as geo_blocked_pct,
    coalesce(payments.succeeded_payments, 0) as succeeded_payments,
    coalesce(payments.refunds, 0) as refunds,
    coalesce(payments.paying_users, 0) as paying_users
from days
left join new_users on days.date_day = new_users.date_day
left join total_users on days.date_day = total_users.date_day
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
