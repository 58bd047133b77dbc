-- The month-grain slice of analytics.analytics_aggregates (see macros/metrics/aggregates.sql).
{{ config(**analytics_aggregates_config('month')) }}

{{ analytics_aggregates_sql('month') }}
