{{ config(**metric_config('revenue.summary', 'week')) }}

{{ metric_revenue_summary('week') }}
