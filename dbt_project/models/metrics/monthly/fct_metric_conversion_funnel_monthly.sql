{{ config(**metric_config('conversion.funnel', 'month')) }}

{{ metric_conversion_funnel('month') }}
