{{ config(**metric_config('content.performance', 'week')) }}

{{ metric_content_performance('week') }}
