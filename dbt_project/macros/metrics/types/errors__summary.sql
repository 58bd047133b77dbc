{% macro metric_errors_summary(grain) -%}
  {#- errors.summary: error logs in the bucket, every user and anonymous alike (a system
      metric). unresolved: not resolved by the bucket's end. top_urls: up to 5, most errors
      first, then by url; logs without a url are not ranked. -#}
with {{ metric_spine_ctes('errors.summary', grain) }},

errors as (
    {{ metric_rows_in_spine('errors', 'e', 'occurred_at', grain) }}
),

per_bucket as (
    select
        errors.time_bucket,
        count(*) as total,
        count(*) filter (where errors.level = 'warning') as warnings,
        count(*) filter (where errors.level = 'error') as errors,
        count(*) filter (where errors.level = 'critical') as criticals,
        count(*) filter (
            where errors.resolved_at is null
               or errors.resolved_at >= errors.time_bucket + {{ metric_interval(grain) }}
        ) as unresolved
    from errors
    group by 1
),

top_urls as (
    select
        time_bucket,
        jsonb_agg(jsonb_build_object('url', url, 'errors', n) order by n desc, url)
            filter (where rank <= 5) as top_urls
    from (
        select
            time_bucket,
            url,
            count(*) as n,
            row_number() over (partition by time_bucket order by count(*) desc, url) as rank
        from errors
        where url is not null
        group by 1, 2
    ) as ranked
    group by 1
)

select
    spine.time_bucket,
    ''::text as dimension,
    coalesce(per_bucket.total, 0)::bigint as total,
    jsonb_build_object(
        'warning', coalesce(per_bucket.warnings, 0),
        'error', coalesce(per_bucket.errors, 0),
        'critical', coalesce(per_bucket.criticals, 0)
    ) as by_level,
    coalesce(per_bucket.unresolved, 0)::bigint as unresolved,
    coalesce(top_urls.top_urls, '[]'::jsonb) as top_urls
from spine
left join per_bucket on spine.time_bucket = per_bucket.time_bucket
left join top_urls on spine.time_bucket = top_urls.time_bucket
{%- endmacro %}
