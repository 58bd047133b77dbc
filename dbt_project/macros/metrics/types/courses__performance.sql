{% macro metric_courses_performance(grain) -%}
  {#- courses.performance (week and month): one row per course created before the bucket's
      end, as of that end: enrollments made before it (with their current progress: the
      source keeps no progress history), those completed before it, and the reviews of the
      course written before it. -#}
with {{ metric_spine_ctes('courses.performance', grain) }},

courses as (
    select c.*
    from {{ metric_input('content') }} as c
    where c.kind = 'course'
      and c.created_at < (select last_end from bounds)
),

course_enrollments as (
    select e.*
    from {{ metric_input('enrollments') }} as e
    where e.content_id in (select content_id from courses)
),

changes as (
    select
        {{ metric_clamped_bucket(grain, 'e.enrolled_at') }} as time_bucket,
        e.content_id,
        count(*) as enrollments,
        sum(e.progress_pct) as progress_sum,
        count(e.progress_pct) as progress_count,
        0 as completed,
        0 as rating_sum,
        0 as rating_count
    from course_enrollments as e
    where e.enrolled_at < (select last_end from bounds)
    group by 1, 2
    union all
    select {{ metric_clamped_bucket(grain, 'e.completed_at') }}, e.content_id, 0, 0, 0, count(*), 0, 0
    from course_enrollments as e
    where e.completed_at < (select last_end from bounds)
    group by 1, 2
    union all
    select {{ metric_clamped_bucket(grain, 'r.created_at') }}, r.content_id, 0, 0, 0, 0, sum(r.rating), count(*)
    from {{ metric_input('reviews') }} as r
    where r.content_id in (select content_id from courses)
      and r.created_at < (select last_end from bounds)
    group by 1, 2
),

per_bucket as (
    select
        time_bucket,
        content_id,
        sum(enrollments) as enrollments,
        sum(progress_sum) as progress_sum,
        sum(progress_count) as progress_count,
        sum(completed) as completed,
        sum(rating_sum) as rating_sum,
        sum(rating_count) as rating_count
    from changes
    group by 1, 2
),

running as (
    select
        spine.time_bucket,
        courses.content_id,
        courses.title,
        {{ metric_running_sums('per_bucket', [
            'enrollments', 'progress_sum', 'progress_count', 'completed', 'rating_sum', 'rating_count'
        ]) }}
    {{ metric_dimension_joins('courses', 'created_at', 'content_id', ['per_bucket']) }}
    window w as (partition by courses.content_id order by spine.time_bucket)
)

select
    time_bucket,
    content_id::text as dimension,
    title,
    enrollments::bigint as enrollments,
    {{ metric_ratio('progress_sum', 'progress_count') }} as avg_progress,
    completed::bigint as completed,
    {{ metric_ratio('completed', 'enrollments') }} as completion_rate,
    {{ metric_ratio('rating_sum', 'rating_count') }} as avg_rating
from running
{%- endmacro %}
