-- One row per non-admin user, as of the last processed day (int_processed_range): practice
-- results, money, activity, engagement score and segment (METRICS.md per-user marts).
-- Admins are internal accounts and count in no user metric; deleted users keep their row
-- (is_deleted) but have no segment.
with range as (
    select as_of_date from {{ ref('int_processed_range') }}
),

users as (
    select
        user_id,
        role,
        created_at,
        {{ utc_date('created_at') }} as signup_date,
        is_deleted
    from {{ ref('stg_users') }}
    where not is_internal
),

attempts as (
    select
        user_id,
        count(*) filter (where status = 'completed') as total_tests,
        -- Full precision (METRICS.md asks for the average): BI tools round for display.
        avg(score) filter (where status = 'completed') as avg_score,
        count(*) filter (where status = 'completed' and score = 100) as perfect_tests,
        coalesce(sum(duration_seconds), 0) as practice_seconds
    from {{ ref('fct_practice_attempts') }}
    group by user_id
),

skills as (
    select
        user_id,
        skill_area,
        avg(score) as avg_score,
        row_number() over (partition by user_id order by avg(score) desc, skill_area asc) as skill_rank
    from {{ ref('fct_practice_attempts') }}
    where status = 'completed' and score is not null
    group by user_id, skill_area
    having count(*) >= 3
),

money as (
    select
        user_id,
        jsonb_object_agg(currency, net_amount order by currency) as lifetime_value
    from {{ ref('user_lifetime_value') }}
    group by user_id
),

activity as (
    select
        active.user_id,
        count(*) as days_active,
        max(active.last_event_at) as last_active_at,
        max(active.activity_date) as last_active_date,
        count(*) filter (where active.activity_date > range.as_of_date - 30) as days_active_30d
    from {{ ref('user_daily_activity') }} as active
    cross join range
    where active.activity_date <= range.as_of_date
    group by active.user_id
),

mentoring as (
    select
        student_id as user_id,
        count(*) as completed_mentor_sessions
    from {{ ref('stg_mentor_sessions') }}
    where status = 'completed'
    group by student_id
),

enrollments as (
    select
        user_id,
        count(*) as enrollments,
        avg(progress_pct) as avg_enrollment_progress
    from {{ ref('stg_enrollments') }}
    group by user_id
),

reviews as (
    select
        user_id,
        count(*) as reviews_written
    from {{ ref('stg_reviews') }}
    group by user_id
),

combined as (
    select
        users.user_id,
        users.role,
        users.signup_date,
        users.is_deleted,
        range.as_of_date,
        coalesce(attempts.total_tests, 0) as total_tests,
        attempts.avg_score,
        {{ coalesce_to_zero('attempts', ['perfect_tests', 'practice_seconds']) }},
        coalesce(money.lifetime_value, '{}'::jsonb) as lifetime_value,
        {{ coalesce_to_zero('activity', ['days_active', 'days_active_30d']) }},
        activity.last_active_at,
        activity.last_active_date,
        {{ days_between('users.signup_date', 'range.as_of_date') }} as days_since_signup,
        coalesce(mentoring.completed_mentor_sessions, 0) as completed_mentor_sessions,
        {{ coalesce_to_zero('enrollments', ['enrollments', 'avg_enrollment_progress']) }},
        coalesce(reviews.reviews_written, 0) as reviews_written,
        skills.skill_area as strongest_skill
    from users
    cross join range
    left join attempts on users.user_id = attempts.user_id
    left join money on users.user_id = money.user_id
    left join activity on users.user_id = activity.user_id
    left join mentoring on users.user_id = mentoring.user_id
    left join enrollments on users.user_id = enrollments.user_id
    left join reviews on users.user_id = reviews.user_id
    left join skills on users.user_id = skills.user_id and skills.skill_rank = 1
)

select
    user_id,
    role,
    signup_date,
    is_deleted,
    as_of_date,
    total_tests,
    avg_score,
    perfect_tests,
    practice_seconds,
    lifetime_value,
    days_active,
    case
        when days_since_signup <= 0 then 'unknown'
        when days_active::numeric / days_since_signup > 0.7 then 'daily'
        when days_active::numeric / days_since_signup > 0.3 then 'regular'
        when days_active::numeric / days_since_signup > 0.1 then 'occasional'
        else 'rare'
    end as login_frequency,
    round(
        least(30, 3 * completed_mentor_sessions)
        + least(25, 5 * enrollments)
        + least(30, 0.3 * avg_enrollment_progress)
        + least(15, 5 * reviews_written)
    )::int as engagement_score,
    case
        when is_deleted or signup_date > as_of_date then null
        when signup_date >= as_of_date - 6 then 'new'
        when days_active_30d = 0 then 'churned'
        when last_active_date <= as_of_date - 14 then 'at_risk'
        when days_active_30d >= 15 then 'power'
        else 'active'
    end as segment,
    strongest_skill,
    last_active_at,
    completed_mentor_sessions,
    enrollments,
    round(avg_enrollment_progress, 2) as avg_enrollment_progress,
    reviews_written
from combined
