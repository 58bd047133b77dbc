{{ config(**metric_config('engagement.active_users', 'week')) }}

{{ metric_engagement_active_users('week') }}
