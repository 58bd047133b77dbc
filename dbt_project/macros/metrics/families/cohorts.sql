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
  {%- set mt = 'retention.cohort' -%}
  {%- set offsets = metric_retention_offsets(grain) -%}
with {{ metric_spine_ctes(mt, grain) }},

horizon as (
    select {{ metric_horizon() }} as horizon
),

cohort as (
    select u.user_id, date_trunc('{{ grain }}', u.created_at) as time_bucket
    from {{ metric_input('users') }} as u
    where u.created_at >= (select first_bucket from bounds)
      and u.created_at < (select last_end from bounds)
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


{% macro metric_conversion_funnel(grain) -%}
  {#- conversion.funnel: the non-admin users created in the bucket; activated_7d: a practice
      attempt started within 7x24 h of signup; paid_14d: the user's first succeeded
      subscription payment within 14x24 h of signup. Counts (and rates, median) are null until
      the whole window of the bucket's last signup has passed the data horizon. -#}
  {%- set mt = 'conversion.funnel' -%}
with {{ metric_spine_ctes(mt, grain) }},

horizon as (
    select {{ metric_horizon() }} as horizon
),

cohort as (
    select u.user_id, u.created_at, date_trunc('{{ grain }}', u.created_at) as time_bucket
    from {{ metric_input('users') }} as u
    where u.created_at >= (select first_bucket from bounds)
      and u.created_at < (select last_end from bounds)
),

activated as (
    select distinct cohort.user_id
    from cohort
    inner join {{ metric_input('attempts') }} as a
        on cohort.user_id = a.user_id
        and a.started_at >= cohort.created_at
        and a.started_at <= cohort.created_at + interval '7 day'
),

first_paid as (
    select p.user_id, min(p.created_at) as paid_at
    from {{ metric_input('payments') }} as p
    where p.user_id in (select user_id from cohort)
      and p.status = 'succeeded'
      and p.kind = 'subscription'
    group by 1
),

members as (
    select
        cohort.time_bucket,
        cohort.user_id,
        activated.user_id is not null as is_activated,
        case
            when first_paid.paid_at >= cohort.created_at
                and first_paid.paid_at <= cohort.created_at + interval '14 day'
                then extract(epoch from first_paid.paid_at - cohort.created_at) / 3600
        end as hours_to_convert
    from cohort
    left join activated on cohort.user_id = activated.user_id
    left join first_paid on cohort.user_id = first_paid.user_id
),

per_cohort as (
    select
        time_bucket,
        count(*) as signups,
        count(*) filter (where is_activated) as activated_7d,
        count(hours_to_convert) as paid_14d,
        percentile_cont(0.5) within group (order by hours_to_convert) as median_hours_to_convert
    from members
    group by 1
),

known as (
    select
        spine.time_bucket,
        spine.bucket_end + interval '7 day' <= horizon.horizon as activation_known,
        spine.bucket_end + interval '14 day' <= horizon.horizon as conversion_known
    from spine
    cross join horizon
)

select
    spine.time_bucket,
    ''::text as dimension,
    coalesce(per_cohort.signups, 0)::bigint as signups,
    case when known.activation_known then coalesce(per_cohort.activated_7d, 0) end::bigint
        as activated_7d,
    case when known.conversion_known then coalesce(per_cohort.paid_14d, 0) end::bigint
        as paid_14d,
    case when known.activation_known
        then {{ metric_ratio('per_cohort.activated_7d', 'per_cohort.signups') }} end
        as activation_rate,
    case when known.conversion_known
        then {{ metric_ratio('per_cohort.paid_14d', 'per_cohort.signups') }} end
        as conversion_rate,
    case when known.conversion_known
        then per_cohort.median_hours_to_convert::numeric end as median_hours_to_convert
from spine
inner join known on spine.time_bucket = known.time_bucket
left join per_cohort on spine.time_bucket = per_cohort.time_bucket
{%- endmacro %}
