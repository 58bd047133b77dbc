{% macro metric_conversion_funnel(grain) -%}
  {#- conversion.funnel: the non-admin users created in the bucket; activated_7d: a practice
      attempt started within 7x24 h of signup; paid_14d: the user's first succeeded
      subscription payment within 14x24 h of signup. Counts (and rates, median) are null until
      the whole window of the bucket's last signup has passed the data horizon. -#}
with {{ metric_spine_ctes('conversion.funnel', grain) }},

horizon as (
    select {{ metric_horizon() }} as horizon
),

cohort as (
    select u.user_id, u.created_at, date_trunc('{{ grain }}', u.created_at) as time_bucket
    from {{ metric_input('users') }} as u
    where {{ metric_in_spine('u.created_at') }}
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
