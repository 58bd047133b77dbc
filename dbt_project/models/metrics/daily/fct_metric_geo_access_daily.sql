{{ config(**metric_config('geo.access', 'day')) }}

{{ metric_geo_access('day') }}
