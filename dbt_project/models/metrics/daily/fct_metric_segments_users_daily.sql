{{ config(**metric_config('segments.users', 'day')) }}

{{ metric_segments_users('day') }}
