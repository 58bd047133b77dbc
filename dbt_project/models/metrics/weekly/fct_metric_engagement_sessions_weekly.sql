{{ config(**metric_config('engagement.sessions', 'week')) }}

{{ metric_engagement_sessions('week') }}
