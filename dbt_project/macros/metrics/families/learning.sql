{% macro metric_learning_attempts(grain) -%}
  {#- learning.attempts: practice attempts started in the bucket. completion_rate =
      completed / (completed + abandoned): in-progress attempts have no outcome yet. -#}
  {%- set mt = 'learning.attempts' -%}
with {{ metric_spine_ctes(mt, grain) }},

per_bucket as (
    select
        date_trunc('{{ grain }}', a.started_at) as time_bucket,
        count(*) as attempts,
        count(*) filter (where a.status = 'completed') as completed,
        count(*) filter (where a.status = 'abandoned') as abandoned,
        avg(a.score) filter (where a.status = 'completed') as avg_score,
        count(*) filter (where a.status = 'completed' and a.score = 100) as perfect_scores,
        coalesce(sum(a.duration_seconds), 0) / 60.0 as practice_minutes,
        count(distinct a.user_id) as learners
    from {{ metric_input('attempts') }} as a
    where a.started_at >= (select first_bucket from bounds)
      and a.started_at < (select last_end from bounds)
    group by 1
)

select
    spine.time_bucket,
    ''::text as dimension,
    coalesce(per_bucket.attempts, 0)::bigint as attempts,
    coalesce(per_bucket.completed, 0)::bigint as completed,
    coalesce(per_bucket.abandoned, 0)::bigint as abandoned,
    {{ metric_ratio('per_bucket.completed', 'per_bucket.completed + per_bucket.abandoned') }}
        as completion_rate,
    per_bucket.avg_score::numeric as avg_score,
    coalesce(per_bucket.perfect_scores, 0)::bigint as perfect_scores,
    coalesce(per_bucket.practice_minutes, 0)::numeric as practice_minutes,
    coalesce(per_bucket.learners, 0)::bigint as learners
from spine
left join per_bucket on spine.time_bucket = per_bucket.time_bucket
{%- endmacro %}


{% macro metric_content_performance(grain) -%}
  {#- content.performance (week and month): one row per practice content (scenario or exam)
      created before the bucket's end, attempts on it started in the bucket. -#}
  {%- set mt = 'content.performance' -%}
with {{ metric_spine_ctes(mt, grain) }},

content as (
    select c.*
    from {{ metric_input('content') }} as c
    where c.kind in ('scenario', 'exam')
      and c.created_at < (select last_end from bounds)
),

per_content as (
    select
        date_trunc('{{ grain }}', a.started_at) as time_bucket,
        a.content_id,
        count(*) as usage_count,
        count(*) filter (where a.status = 'completed') as completed,
        count(*) filter (where a.status = 'abandoned') as abandoned,
        avg(a.score) filter (where a.status = 'completed') as avg_score,
        avg(a.duration_seconds) filter (where a.status = 'completed') as avg_completion_seconds
    from {{ metric_input('attempts') }} as a
    where a.started_at >= (select first_bucket from bounds)
      and a.started_at < (select last_end from bounds)
    group by 1, 2
)

select
    spine.time_bucket,
    content.content_id::text as dimension,
    content.title,
    content.kind,
    content.difficulty,
    coalesce(per_content.usage_count, 0)::bigint as usage_count,
    {{ metric_ratio('per_content.completed', 'per_content.completed + per_content.abandoned') }}
        as completion_rate,
    per_content.avg_score::numeric as avg_score,
    per_content.avg_completion_seconds::numeric as avg_completion_seconds
from spine
inner join content on content.created_at < spine.bucket_end
left join per_content
    on spine.time_bucket = per_content.time_bucket
    and content.content_id = per_content.content_id
{%- endmacro %}


{% macro metric_courses_performance(grain) -%}
  {#- courses.performance (week and month): one row per course created before the bucket's
      end, as of that end: enrollments made before it (with their current progress: the
      source keeps no progress history), those completed before it, and the reviews of the
      course written before it. -#}
  {%- set mt = 'courses.performance' -%}
with {{ metric_spine_ctes(mt, grain) }},

courses as (
    select c.*
    from {{ metric_input('content') }} as c
    where c.kind = 'course'
      and c.created_at < (select last_end from bounds)
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
    from {{ metric_input('enrollments') }} as e
    where e.content_id in (select content_id from courses)
      and e.enrolled_at < (select last_end from bounds)
    group by 1, 2
    union all
    select
        {{ metric_clamped_bucket(grain, 'e.completed_at') }},
        e.content_id, 0, 0, 0, count(*), 0, 0
    from {{ metric_input('enrollments') }} as e
    where e.content_id in (select content_id from courses)
      and e.completed_at < (select last_end from bounds)
    group by 1, 2
    union all
    select
        {{ metric_clamped_bucket(grain, 'r.created_at') }},
        r.content_id, 0, 0, 0, 0, sum(r.rating), count(*)
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
        sum(coalesce(per_bucket.enrollments, 0)) over w as enrollments,
        sum(coalesce(per_bucket.progress_sum, 0)) over w as progress_sum,
        sum(coalesce(per_bucket.progress_count, 0)) over w as progress_count,
        sum(coalesce(per_bucket.completed, 0)) over w as completed,
        sum(coalesce(per_bucket.rating_sum, 0)) over w as rating_sum,
        sum(coalesce(per_bucket.rating_count, 0)) over w as rating_count
    from spine
    inner join courses on courses.created_at < spine.bucket_end
    left join per_bucket
        on spine.time_bucket = per_bucket.time_bucket
        and courses.content_id = per_bucket.content_id
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
