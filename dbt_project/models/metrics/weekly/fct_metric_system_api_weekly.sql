{{ config(**metric_config('system.api', 'week')) }}

{{ metric_system_api('week') }}
