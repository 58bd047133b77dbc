{{ config(**metric_config('system.api', 'day')) }}

{{ metric_system_api('day') }}
