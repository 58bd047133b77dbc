{{ config(**metric_config('engagement.active_users', 'month')) }}

{{ metric_engagement_active_users('month') }}
