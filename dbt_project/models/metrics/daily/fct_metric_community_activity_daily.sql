{{ config(**metric_config('community.activity', 'day')) }}

{{ metric_community_activity('day') }}
