{{ config(**metric_config('platform.overview', 'day')) }}

{{ metric_platform_overview('day') }}
