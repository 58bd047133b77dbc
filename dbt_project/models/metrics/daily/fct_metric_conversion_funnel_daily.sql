{{ config(**metric_config('conversion.funnel', 'day')) }}

{{ metric_conversion_funnel('day') }}
