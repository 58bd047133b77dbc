{{ config(**metric_config('platform.overview', 'week')) }}

{{ metric_platform_overview('week') }}
