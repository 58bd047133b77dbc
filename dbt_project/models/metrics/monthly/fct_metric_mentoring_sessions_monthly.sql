{{ config(**metric_config('mentoring.sessions', 'month')) }}

{{ metric_mentoring_sessions('month') }}
