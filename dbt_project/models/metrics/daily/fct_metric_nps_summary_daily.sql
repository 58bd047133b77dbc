{{ config(**metric_config('nps.summary', 'day')) }}

{{ metric_nps_summary('day') }}
