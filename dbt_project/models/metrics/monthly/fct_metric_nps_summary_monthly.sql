{{ config(**metric_config('nps.summary', 'month')) }}

{{ metric_nps_summary('month') }}
