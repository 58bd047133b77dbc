{{ config(**metric_config('mentoring.sessions', 'day')) }}

{{ metric_mentoring_sessions('day') }}
