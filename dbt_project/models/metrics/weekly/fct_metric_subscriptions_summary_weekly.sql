{{ config(**metric_config('subscriptions.summary', 'week')) }}

{{ metric_subscriptions_summary('week') }}
