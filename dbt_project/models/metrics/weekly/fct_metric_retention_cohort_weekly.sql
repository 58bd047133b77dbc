{{ config(**metric_config('retention.cohort', 'week')) }}

{{ metric_retention_cohort('week') }}
