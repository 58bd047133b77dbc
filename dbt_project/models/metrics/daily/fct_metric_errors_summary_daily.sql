{{ config(**metric_config('errors.summary', 'day')) }}

{{ metric_errors_summary('day') }}
