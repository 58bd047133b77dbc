{{ config(**metric_config('retention.cohort', 'month')) }}

{{ metric_retention_cohort('month') }}
