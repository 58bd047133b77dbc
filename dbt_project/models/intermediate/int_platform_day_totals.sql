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
        {{ count_each('attempts.status', ['completed', 'abandoned'], suffix='_attempts') }},
        avg(attempts.score) filter (where attempts.status = 'completed') as avg_score,
        count(*) filter (where attempts.is_perfect) as perfect_scores,
        coalesce(sum(attempts.duration_seconds), 0) / 60.0 as practice_minutes,
        count(distinct attempts.user_id) as learners
    from {{ ref('fct_practice_attempts') }} as attempts
    where {{ platform_fact_on_days('fct_practice_attempts', 'attempts') }}
    group by attempts.attempt_date
),

mentoring as (
    select
        scheduled_date as date_day,
        count(*) as mentor_sessions,
        {{ count_each('status', ['scheduled', 'completed', 'cancelled', 'no_show'], prefix='mentor_sessions_') }}
    from {{ ref('fct_mentor_sessions') }}
    where {{ platform_fact_on_days('fct_mentor_sessions') }}
    group by scheduled_date
),

reviews as (
    select
        review_date as date_day,
        count(*) as reviews,
        avg(rating) as average_rating
    from {{ ref('fct_reviews') }}
    where {{ platform_fact_on_days('fct_reviews') }}
    group by review_date
),

latest_nps as (
    select distinct on (user_id, response_date)
        response_date as date_day,
        category
    from {{ ref('fct_nps_responses') }}
    where {{ platform_fact_on_days('fct_nps_responses') }}
    order by user_id asc, response_date asc, created_at desc, response_id desc
),

nps as (
    select
        date_day,
        count(*) as nps_responses,
        {{ count_each('category', ['promoter', 'passive', 'detractor'], suffix='s') }}
    from latest_nps
    group by date_day
),

errors as (
    select
        error_date as date_day,
        count(*) as errors,
        {{ count_each('level', ['warning', 'error', 'critical'], prefix='errors_') }},
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
    where {{ platform_fact_on_days('fct_community_activity') }}
    group by activity_date
),

geo as (
    select
        attempt_date as date_day,
        count(*) as geo_attempts,
        count(*) filter (where is_blocked) as geo_blocked,
        count(*) filter (where is_traveler) as geo_traveler_attempts
    from {{ ref('fct_geo_access_attempts') }}
    where {{ platform_fact_on_days('fct_geo_access_attempts') }}
    group by attempt_date
),

payments as (
    select
        payments.payment_date as date_day,
        count(*) filter (where payments.status = 'succeeded') as succeeded_payments,
        count(*) filter (where payments.status = 'refunded') as refunds,
        count(distinct payments.user_id) filter (where payments.status = 'succeeded') as paying_users
    from {{ ref('fct_payments') }} as payments
    where {{ platform_fact_on_days('fct_payments', 'payments') }}
    group by payments.payment_date
)

select
    days.date_day,
    {{ coalesce_to_zero('dau', ['active_users']) }},
    {{ coalesce_to_zero('rolling', ['wau', 'mau']) }},
    {{ coalesce_to_zero('sessions', ['sessions', 'session_users']) }},
    sessions.avg_session_seconds,
    sessions.median_session_seconds,
    sessions.bounce_rate,
    {{ coalesce_to_zero('attempts', ['attempts', 'completed_attempts', 'abandoned_attempts']) }},
    attempts.avg_score,
    {{ coalesce_to_zero('attempts', ['perfect_scores', 'practice_minutes', 'learners']) }},
    {{ coalesce_to_zero('mentoring', [
        'mentor_sessions', 'mentor_sessions_scheduled', 'mentor_sessions_completed',
        'mentor_sessions_cancelled', 'mentor_sessions_no_show',
    ]) }},
    {{ coalesce_to_zero('reviews', ['reviews']) }},
    reviews.average_rating,
    {{ coalesce_to_zero('nps', ['nps_responses', 'promoters', 'passives', 'detractors']) }},
    {{ coalesce_to_zero('errors', [
        'errors', 'errors_warning', 'errors_error', 'errors_critical', 'errors_unresolved',
    ]) }},
    {{ coalesce_to_zero('api', ['api_requests']) }},
    api.avg_response_ms,
    api.p95_response_ms,
    api.server_error_rate,
    api.client_error_rate,
    {{ coalesce_to_zero('community', ['community_activities', 'community_active_members']) }},
    {{ coalesce_to_zero('geo', ['geo_attempts', 'geo_blocked', 'geo_traveler_attempts']) }},
    {{ coalesce_to_zero('payments', ['succeeded_payments', 'refunds', 'paying_users']) }}
from days
{% for totals in [
    'dau', 'rolling', 'sessions', 'attempts', 'mentoring', 'reviews', 'nps', 'errors', 'api', 'community', 'geo',
    'payments',
] %}
    left join {{ totals }} on days.date_day = {{ totals }}.date_day
{% endfor %}
