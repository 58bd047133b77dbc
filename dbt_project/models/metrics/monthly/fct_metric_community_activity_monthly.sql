{{ config(**metric_config('community.activity', 'month')) }}

{{ metric_community_activity('month') }}
