{% macro metric_nps_summary(grain) -%}
  {#- nps.summary: each user's latest response in the bucket (ties: the higher response id).
      nps = (promoters - detractors) / responses x 100, one decimal; null with no response. -#}
with {{ metric_spine_ctes('nps.summary', grain) }},

latest as (
    select distinct on (date_trunc('{{ grain }}', n.created_at), n.user_id)
        date_trunc('{{ grain }}', n.created_at) as time_bucket,
        n.user_id,
        n.score
    from {{ metric_input('nps') }} as n
    where {{ metric_in_spine('n.created_at') }}
    order by date_trunc('{{ grain }}', n.created_at), n.user_id, n.created_at desc, n.response_id desc
),

per_bucket as (
    select
        time_bucket,
        count(*) as responses,
        count(*) filter (where score >= 9) as promoters,
        count(*) filter (where score between 7 and 8) as passives,
        count(*) filter (where score <= 6) as detractors
    from latest
    group by 1
)

select
    spine.time_bucket,
    ''::text as dimension,
    {{ metric_counts('per_bucket', ['responses', 'promoters', 'passives', 'detractors']) }},
    round({{ metric_ratio('per_bucket.promoters - per_bucket.detractors', 'per_bucket.responses') }}
          * 100, 1) as nps
from spine
left join per_bucket on spine.time_bucket = per_bucket.time_bucket
{%- endmacro %}
