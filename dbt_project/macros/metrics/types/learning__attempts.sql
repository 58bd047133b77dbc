{% macro metric_learning_attempts(grain) -%}
  {#- learning.attempts: practice attempts started in the bucket. completion_rate =
      completed / (completed + abandoned): in-progress attempts have no outcome yet. -#}
with {{ metric_spine_ctes('learning.attempts', grain) }},

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
    where {{ metric_in_spine('a.started_at') }}
    group by 1
)

select
    spine.time_bucket,
    ''::text as dimension,
    {{ metric_counts('per_bucket', ['attempts', 'completed', 'abandoned']) }},
    {{ metric_ratio('per_bucket.completed', 'per_bucket.completed + per_bucket.abandoned') }}
        as completion_rate,
    per_bucket.avg_score::numeric as avg_score,
    coalesce(per_bucket.perfect_scores, 0)::bigint as perfect_scores,
    coalesce(per_bucket.practice_minutes, 0)::numeric as practice_minutes,
    coalesce(per_bucket.learners, 0)::bigint as learners
from spine
left join per_bucket on spine.time_bucket = per_bucket.time_bucket
{%- endmacro %}
