{{ config(**metric_config('platform.overview', 'month')) }}

{{ metric_platform_overview('month') }}
