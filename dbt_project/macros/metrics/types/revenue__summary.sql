{% macro metric_revenue_summary(grain) -%}
  {#- revenue.summary, one row per currency seen in any payment before the bucket's end:
      major units (cents / 100), by the payment's created_at; no currency conversion. -#}
with {{ metric_spine_ctes('revenue.summary', grain) }},

payments as (
    {{ metric_rows_before('payments', 'p', 'created_at') }}
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
{{ metric_dimension_joins('currencies', 'first_at', 'currency', ['per_bucket']) }}
{%- endmacro %}
