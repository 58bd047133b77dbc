{% macro metric_content_performance(grain) -%}
  {#- content.performance (week and month): one row per practice content (scenario or exam)
      created before the bucket's end, attempts on it started in the bucket. -#}
with {{ metric_spine_ctes('content.performance', grain) }},

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
    where {{ metric_in_spine('a.started_at') }}
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
{{ metric_dimension_joins('content', 'created_at', 'content_id', ['per_content']) }}
{%- endmacro %}
