{{ config(**metric_config('segments.users', 'month')) }}

{{ metric_segments_users('month') }}
