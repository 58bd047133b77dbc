{{ config(**metric_config('nps.summary', 'week')) }}

{{ metric_nps_summary('week') }}
