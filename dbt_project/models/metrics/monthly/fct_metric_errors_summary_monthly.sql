{{ config(**metric_config('errors.summary', 'month')) }}

{{ metric_errors_summary('month') }}
