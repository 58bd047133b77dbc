{% macro metric_mentoring_sessions(grain) -%}
  {#- mentoring.sessions: mentor sessions scheduled in the bucket. completion_rate =
      completed / (total - still scheduled). top_mentors: up to 5 mentors with completed
      sessions, most first, ties to the lower mentor_id. -#}
  {%- set mt = 'mentoring.sessions' -%}
with {{ metric_spine_ctes(mt, grain) }},

sessions as (
    select date_trunc('{{ grain }}', m.scheduled_at) as time_bucket, m.*
    from {{ metric_input('mentor_sessions') }} as m
    where m.scheduled_at >= (select first_bucket from bounds)
      and m.scheduled_at < (select last_end from bounds)
),

per_bucket as (
    select
        time_bucket,
        count(*) as total,
        count(*) filter (where status = 'scheduled') as scheduled,
        count(*) filter (where status = 'completed') as completed,
        count(*) filter (where status = 'cancelled') as cancelled,
        count(*) filter (where status = 'no_show') as no_show,
        avg(duration_minutes) filter (where status = 'completed') as avg_duration_minutes
    from sessions
    group by 1
),

mentor_ranks as (
    select
        time_bucket,
        mentor_id,
        count(*) as sessions,
        row_number() over (partition by time_bucket order by count(*) desc, mentor_id) as rank
    from sessions
    where status = 'completed'
    group by 1, 2
),

top_mentors as (
    select
        time_bucket,
        jsonb_agg(jsonb_build_object('mentor_id', mentor_id, 'sessions', sessions) order by rank)
            as top_mentors
    from mentor_ranks
    where rank <= 5
    group by 1
)

select
    spine.time_bucket,
    ''::text as dimension,
    coalesce(per_bucket.total, 0)::bigint as total,
    coalesce(per_bucket.scheduled, 0)::bigint as scheduled,
    coalesce(per_bucket.completed, 0)::bigint as completed,
    coalesce(per_bucket.cancelled, 0)::bigint as cancelled,
    coalesce(per_bucket.no_show, 0)::bigint as no_show,
    {{ metric_ratio('per_bucket.completed', 'per_bucket.total - per_bucket.scheduled') }}
        as completion_rate,
    per_bucket.avg_duration_minutes::numeric as avg_duration_minutes,
    coalesce(top_mentors.top_mentors, '[]'::jsonb) as top_mentors
from spine
left join per_bucket on spine.time_bucket = per_bucket.time_bucket
left join top_mentors on spine.time_bucket = top_mentors.time_bucket
{%- endmacro %}
