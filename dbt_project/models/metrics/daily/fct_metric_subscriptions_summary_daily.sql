{{ config(**metric_config('subscriptions.summary', 'day')) }}

{{ metric_subscriptions_summary('day') }}
