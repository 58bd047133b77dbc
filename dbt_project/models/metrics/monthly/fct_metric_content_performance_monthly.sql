{{ config(**metric_config('content.performance', 'month')) }}

{{ metric_content_performance('month') }}
