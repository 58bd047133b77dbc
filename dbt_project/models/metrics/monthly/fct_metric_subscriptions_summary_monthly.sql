{{ config(**metric_config('subscriptions.summary', 'month')) }}

{{ metric_subscriptions_summary('month') }}
