{{ config(**metric_config('retention.cohort', 'day')) }}

{{ metric_retention_cohort('day') }}
