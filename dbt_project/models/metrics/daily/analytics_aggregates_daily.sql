-- The day-grain slice of analytics.analytics_aggregates (see macros/metrics/aggregates.sql).
{{ config(**analytics_aggregates_config('day')) }}

{{ analytics_aggregates_sql('day') }}
