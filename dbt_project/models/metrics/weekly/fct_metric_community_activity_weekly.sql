{{ config(**metric_config('community.activity', 'week')) }}

{{ metric_community_activity('week') }}
