{% macro metric_mentoring_sessions(grain) -%}
  {#- mentoring.sessions: mentor sessions scheduled in the bucket. completion_rate =
      completed / (total - still scheduled). top_mentors: up to 5 mentors with completed
      sessions, most first, ties to the lower mentor_id. -#}
with {{ metric_spine_ctes('mentoring.sessions', grain) }},

sessions as (
    {{ metric_rows_in_spine('mentor_sessions', 'm', 'scheduled_at', grain) }}
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
    {{ metric_counts('per_bucket', ['total', 'scheduled', 'completed', 'cancelled', 'no_show']) }},
    {{ metric_ratio('per_bucket.completed', 'per_bucket.total - per_bucket.scheduled') }}
        as completion_rate,
    per_bucket.avg_duration_minutes::numeric as avg_duration_minutes,
    coalesce(top_mentors.top_mentors, '[]'::jsonb) as top_mentors
from spine
left join per_bucket on spine.time_bucket = per_bucket.time_bucket
left join top_mentors on spine.time_bucket = top_mentors.time_bucket
{%- endmacro %}
