{% macro metric_reviews_summary(grain) -%}
  {#- reviews.summary: reviews written in the bucket. -#}
with {{ metric_spine_ctes('reviews.summary', grain) }},

per_bucket as (
    select
        date_trunc('{{ grain }}', r.created_at) as time_bucket,
        count(*) as reviews,
        avg(r.rating) as average_rating,
        count(*) filter (where r.content_id is not null) as content_reviews,
        count(*) filter (where r.mentor_id is not null) as mentor_reviews
    from {{ metric_input('reviews') }} as r
    where {{ metric_in_spine('r.created_at') }}
    group by 1
)

select
    spine.time_bucket,
    ''::text as dimension,
    coalesce(per_bucket.reviews, 0)::bigint as reviews,
    per_bucket.average_rating::numeric as average_rating,
    {{ metric_counts('per_bucket', ['content_reviews', 'mentor_reviews']) }}
from spine
left join per_bucket on spine.time_bucket = per_bucket.time_bucket
{%- endmacro %}
