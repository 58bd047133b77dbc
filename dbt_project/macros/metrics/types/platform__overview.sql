{% macro metric_platform_overview(grain) -%}
  {#- platform.overview: the platform as of the bucket's end, non-admin users only. users:
      created before the end and not deleted before it (verified: the current flag).
      mentor_sessions: booked (created) before the end, by current status. courses: created
      before the end; enrollments in them made before it. reviews: written before the end.
      Each count is a running sum over the spine of what each bucket adds. -#}
with {{ metric_spine_ctes('platform.overview', grain) }},

users as (
    {{ metric_rows_before('users', 'u', 'created_at') }}
),

courses as (
    select c.*
    from {{ metric_input('content') }} as c
    where c.kind = 'course' and c.created_at < (select last_end from bounds)
),

changes as (
    -- users appear ...
    select
        {{ metric_clamped_bucket(grain, 'created_at') }} as time_bucket,
        count(*) as users,
        count(*) filter (where role = 'student') as students,
        count(*) filter (where role = 'mentor') as mentors,
        count(*) filter (where is_verified) as verified,
        0 as sessions, 0 as sessions_completed, 0 as sessions_scheduled,
        0 as courses, 0 as courses_published, 0 as enrollments,
        0 as reviews, 0 as rating_sum
    from users
    group by 1
    union all
    -- ... and deleted ones leave
    select
        {{ metric_clamped_bucket(grain, 'greatest(created_at, deleted_at)') }},
        -count(*),
        -count(*) filter (where role = 'student'),
        -count(*) filter (where role = 'mentor'),
        -count(*) filter (where is_verified),
        0, 0, 0, 0, 0, 0, 0, 0
    from users
    where deleted_at < (select last_end from bounds)
    group by 1
    union all
    select
        {{ metric_clamped_bucket(grain, 'm.created_at') }},
        0, 0, 0, 0,
        count(*),
        count(*) filter (where m.status = 'completed'),
        count(*) filter (where m.status = 'scheduled'),
        0, 0, 0, 0, 0
    from {{ metric_input('mentor_sessions') }} as m
    where m.created_at < (select last_end from bounds)
    group by 1
    union all
    select
        {{ metric_clamped_bucket(grain, 'created_at') }},
        0, 0, 0, 0, 0, 0, 0,
        count(*),
        count(*) filter (where is_published),
        0, 0, 0
    from courses
    group by 1
    union all
    select
        {{ metric_clamped_bucket(grain, 'e.enrolled_at') }},
        0, 0, 0, 0, 0, 0, 0, 0, 0,
        count(*),
        0, 0
    from {{ metric_input('enrollments') }} as e
    where e.content_id in (select content_id from courses)
      and e.enrolled_at < (select last_end from bounds)
    group by 1
    union all
    select
        {{ metric_clamped_bucket(grain, 'r.created_at') }},
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        count(*),
        sum(r.rating)
    from {{ metric_input('reviews') }} as r
    where r.created_at < (select last_end from bounds)
    group by 1
),

per_bucket as (
    select
        time_bucket,
        sum(users) as users, sum(students) as students, sum(mentors) as mentors,
        sum(verified) as verified, sum(sessions) as sessions,
        sum(sessions_completed) as sessions_completed,
        sum(sessions_scheduled) as sessions_scheduled, sum(courses) as courses,
        sum(courses_published) as courses_published, sum(enrollments) as enrollments,
        sum(reviews) as reviews, sum(rating_sum) as rating_sum
    from changes
    group by 1
),

running as (
    select
        spine.time_bucket,
        {{ metric_running_sums('per_bucket', [
            'users', 'students', 'mentors', 'verified', 'sessions', 'sessions_completed',
            'sessions_scheduled', 'courses', 'courses_published', 'enrollments', 'reviews', 'rating_sum'
        ]) }}
    from spine
    left join per_bucket on spine.time_bucket = per_bucket.time_bucket
    window w as (order by spine.time_bucket)
)

select
    time_bucket,
    ''::text as dimension,
    jsonb_build_object(
        'total', users::bigint,
        'students', students::bigint,
        'mentors', mentors::bigint,
        'verified', verified::bigint,
        'verification_rate', {{ metric_ratio('verified', 'users') }}
    ) as users,
    jsonb_build_object(
        'total', sessions::bigint,
        'completed', sessions_completed::bigint,
        'scheduled', sessions_scheduled::bigint,
        'completion_rate', {{ metric_ratio('sessions_completed', 'sessions - sessions_scheduled') }}
    ) as mentor_sessions,
    jsonb_build_object(
        'total', courses::bigint,
        'published', courses_published::bigint,
        'enrollments', enrollments::bigint,
        'avg_enrollments_per_course', {{ metric_ratio('enrollments', 'courses') }}
    ) as courses,
    jsonb_build_object(
        'total', reviews::bigint,
        'average_rating', {{ metric_ratio('rating_sum', 'reviews') }}
    ) as reviews
from running
{%- endmacro %}
