{{ config(**metric_config('engagement.sessions', 'day')) }}

{{ metric_engagement_sessions('day') }}
