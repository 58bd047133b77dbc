{{ config(**metric_config('revenue.summary', 'month')) }}

{{ metric_revenue_summary('month') }}
