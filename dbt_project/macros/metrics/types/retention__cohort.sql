{% macro metric_retention_offsets(grain) -%}
  {{ return({'day': [('d1', 1), ('d7', 7), ('d30', 30)],
             'week': [('w1', 1), ('w4', 4)],
             'month': [('m1', 1)]}[grain]) }}
{%- endmacro %}


{% macro metric_retention_cohort(grain) -%}
  {#- retention.cohort: the non-admin users created in the bucket; retained at N: active
      (a valid event) in bucket c+N (day c+N exactly, ISO week c+N, month c+1). A value whose
      bucket c+N has not ended by the data horizon is null, and becomes a number in the run
      that can compute it (the lookback recomputes the cohorts a window can finish). -#}
  {%- set offsets = metric_retention_offsets(grain) -%}
with {{ metric_spine_ctes('retention.cohort', grain) }},

horizon as (
    select {{ metric_horizon() }} as horizon
),

cohort as (
    select u.user_id, date_trunc('{{ grain }}', u.created_at) as time_bucket
    from {{ metric_input('users') }} as u
    where {{ metric_in_spine('u.created_at') }}
),

activity as (
    select distinct e.user_id, date_trunc('{{ grain }}', e.occurred_at) as period
    from {{ metric_input('events') }} as e
    where e.user_id in (select user_id from cohort)
      and e.occurred_at >= (select first_bucket from bounds)
),

per_cohort as (
    select
        cohort.time_bucket,
        count(distinct cohort.user_id) as cohort_size
        {%- for name, n in offsets %},
        count(distinct cohort.user_id) filter (
            where activity.period = cohort.time_bucket + {{ metric_interval(grain, n) }}
        ) as {{ name }}_retained
        {%- endfor %}
    from cohort
    left join activity on cohort.user_id = activity.user_id
    group by 1
)

select
    spine.time_bucket,
    ''::text as dimension,
    coalesce(per_cohort.cohort_size, 0)::bigint as cohort_size
    {%- for name, n in offsets %},
    case
        when spine.time_bucket + {{ metric_interval(grain, n + 1) }} <= horizon.horizon
            then coalesce(per_cohort.{{ name }}_retained, 0)
    end::bigint as {{ name }}_retained,
    case
        when spine.time_bucket + {{ metric_interval(grain, n + 1) }} <= horizon.horizon
            then {{ metric_ratio('coalesce(per_cohort.' ~ name ~ '_retained, 0)', 'per_cohort.cohort_size') }}
    end as {{ name }}_rate
    {%- endfor %}
from spine
cross join horizon
left join per_cohort on spine.time_bucket = per_cohort.time_bucket
{%- endmacro %}
