{% macro metric_revenue_summary(grain) -%}
  {#- revenue.summary, one row per currency seen in any payment before the bucket's end:
      major units (cents / 100), by the payment's created_at; no currency conversion. -#}
  {%- set mt = 'revenue.summary' -%}
with {{ metric_spine_ctes(mt, grain) }},

payments as (
    select p.*
    from {{ metric_input('payments') }} as p
    where p.created_at < (select last_end from bounds)
),

currencies as (
    select currency, min(created_at) as first_at from payments group by 1
),

per_bucket as (
    select
        date_trunc('{{ grain }}', created_at) as time_bucket,
        currency,
        coalesce(sum(amount_cents) filter (where status = 'succeeded'), 0) as gross_cents,
        coalesce(sum(amount_cents) filter (where status = 'refunded'), 0) as refund_cents,
        count(*) filter (where status = 'succeeded') as transactions,
        count(distinct user_id) filter (where status = 'succeeded') as paying_users
    from payments
    where created_at >= (select first_bucket from bounds)
    group by 1, 2
)

select
    spine.time_bucket,
    currencies.currency as dimension,
    (coalesce(per_bucket.gross_cents, 0) / 100.0)::numeric(20, 2) as gross_revenue,
    (coalesce(per_bucket.refund_cents, 0) / 100.0)::numeric(20, 2) as refunds,
    ((coalesce(per_bucket.gross_cents, 0) - coalesce(per_bucket.refund_cents, 0)) / 100.0)::numeric(20, 2)
        as net_revenue,
    coalesce(per_bucket.transactions, 0)::bigint as transactions,
    {{ metric_ratio('per_bucket.gross_cents', 'per_bucket.transactions') }} / 100 as avg_transaction,
    coalesce(per_bucket.paying_users, 0)::bigint as paying_users
from spine
inner join currencies on currencies.first_at < spine.bucket_end
left join per_bucket
    on spine.time_bucket = per_bucket.time_bucket
    and currencies.currency = per_bucket.currency
{%- endmacro %}
