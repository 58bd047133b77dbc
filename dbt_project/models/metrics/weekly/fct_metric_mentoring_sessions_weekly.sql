{{ config(**metric_config('mentoring.sessions', 'week')) }}

{{ metric_mentoring_sessions('week') }}
