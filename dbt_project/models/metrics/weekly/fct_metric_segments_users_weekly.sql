{{ config(**metric_config('segments.users', 'week')) }}

{{ metric_segments_users('week') }}
