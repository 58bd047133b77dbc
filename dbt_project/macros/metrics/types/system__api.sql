{% macro metric_system_api(grain) -%}
  {#- system.api: api requests in the bucket; p95 is the continuous percentile; error rates
      are fractions of all requests (5xx server, 4xx client). -#}
with {{ metric_spine_ctes('system.api', grain) }},

per_bucket as (
    select
        date_trunc('{{ grain }}', r.occurred_at) as time_bucket,
        count(*) as requests,
        avg(r.response_ms) as avg_response_ms,
        percentile_cont(0.95) within group (order by r.response_ms) as p95_response_ms,
        count(*) filter (where r.status_code >= 500) as server_errors,
        count(*) filter (where r.status_code between 400 and 499) as client_errors
    from {{ metric_input('api_requests') }} as r
    where {{ metric_in_spine('r.occurred_at') }}
    group by 1
)

select
    spine.time_bucket,
    ''::text as dimension,
    coalesce(per_bucket.requests, 0)::bigint as requests,
    per_bucket.avg_response_ms::numeric as avg_response_ms,
    per_bucket.p95_response_ms::numeric as p95_response_ms,
    {{ metric_ratio('per_bucket.server_errors', 'per_bucket.requests') }} as server_error_rate,
    {{ metric_ratio('per_bucket.client_errors', 'per_bucket.requests') }} as client_error_rate
from spine
left join per_bucket on spine.time_bucket = per_bucket.time_bucket
{%- endmacro %}
