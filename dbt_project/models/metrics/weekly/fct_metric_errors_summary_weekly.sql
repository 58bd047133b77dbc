{{ config(**metric_config('errors.summary', 'week')) }}

{{ metric_errors_summary('week') }}
