{{ config(**metric_config('revenue.summary', 'day')) }}

{{ metric_revenue_summary('day') }}
