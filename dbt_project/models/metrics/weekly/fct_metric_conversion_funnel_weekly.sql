{{ config(**metric_config('conversion.funnel', 'week')) }}

{{ metric_conversion_funnel('week') }}
