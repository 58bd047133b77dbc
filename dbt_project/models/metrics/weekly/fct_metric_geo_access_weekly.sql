{{ config(**metric_config('geo.access', 'week')) }}

{{ metric_geo_access('week') }}
