{{ config(**metric_config('engagement.sessions', 'month')) }}

{{ metric_engagement_sessions('month') }}
