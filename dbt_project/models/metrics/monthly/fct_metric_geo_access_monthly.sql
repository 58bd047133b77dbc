{{ config(**metric_config('geo.access', 'month')) }}

{{ metric_geo_access('month') }}
