{% macro metric_subscriptions_summary(grain) -%}
  {#- subscriptions.summary, one row per currency of any subscription started before the
      bucket's end. A subscription is active at instant t when started_at < t and it has not
      ended (ended_at null or >= t): dates decide, not the mutable status. Active at the
      bucket's end = started before it minus ended before it, a running sum; active at its
      start = that minus the bucket's new plus the bucket's ended. mrr: monthly price, or
      annual price / 12, in major units. churn_rate = subscriptions active at the bucket's
      start that ended in it / subscriptions active at its start (one that starts and ends
      inside the bucket is in cancelled_subscriptions, not in the churn: a rate stays in
      [0, 1]). -#}
with {{ metric_spine_ctes('subscriptions.summary', grain) }},

subscriptions as (
    select
        s.*,
        case when s.plan = 'annual' then s.price_cents / 12.0 else s.price_cents::numeric end
            as monthly_cents
    from {{ metric_input('subscriptions') }} as s
    where s.started_at < (select last_end from bounds)
),

currencies as (
    select currency, min(started_at) as first_at from subscriptions group by 1
),

changes as (
    select
        {{ metric_clamped_bucket(grain, 'started_at') }} as time_bucket,
        currency,
        count(*) as d_active,
        sum(monthly_cents) as d_mrr,
        count(*) filter (where started_at >= (select first_bucket from bounds)) as started,
        0 as ended,
        0 as churned
    from subscriptions
    group by 1, 2
    union all
    select
        {{ metric_clamped_bucket(grain, 'ended_at') }},
        currency,
        -count(*),
        -sum(monthly_cents),
        0,
        count(*) filter (where ended_at >= (select first_bucket from bounds)),
        count(*) filter (
            where ended_at >= (select first_bucket from bounds)
              and started_at < date_trunc('{{ grain }}', ended_at)
        )
    from subscriptions
    where ended_at < (select last_end from bounds)
    group by 1, 2
),

per_bucket as (
    select
        time_bucket,
        currency,
        sum(d_active) as d_active,
        sum(d_mrr) as d_mrr,
        sum(started) as started,
        sum(ended) as ended,
        sum(churned) as churned
    from changes
    group by 1, 2
),

running as (
    select
        spine.time_bucket,
        currencies.currency,
        coalesce(per_bucket.started, 0) as new_subscriptions,
        coalesce(per_bucket.ended, 0) as cancelled_subscriptions,
        coalesce(per_bucket.churned, 0) as churned_subscriptions,
        sum(coalesce(per_bucket.d_active, 0)) over w as active_subscriptions,
        sum(coalesce(per_bucket.d_mrr, 0)) over w as mrr_cents
    {{ metric_dimension_joins('currencies', 'first_at', 'currency', ['per_bucket']) }}
    window w as (partition by currencies.currency order by spine.time_bucket)
)

select
    time_bucket,
    currency as dimension,
    active_subscriptions::bigint as active_subscriptions,
    new_subscriptions::bigint as new_subscriptions,
    cancelled_subscriptions::bigint as cancelled_subscriptions,
    (mrr_cents / 100) as mrr,
    {{ metric_ratio('churned_subscriptions',
                    'active_subscriptions - new_subscriptions + cancelled_subscriptions') }}
        as churn_rate
from running
{%- endmacro %}
