{{ config(**metric_config('system.api', 'month')) }}

{{ metric_system_api('month') }}
