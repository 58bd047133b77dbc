{{ config(**metric_config('engagement.active_users', 'day')) }}

{{ metric_engagement_active_users('day') }}
