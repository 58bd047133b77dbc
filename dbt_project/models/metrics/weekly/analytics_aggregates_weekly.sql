-- The week-grain slice of analytics.analytics_aggregates (see macros/metrics/aggregates.sql).
{{ config(**analytics_aggregates_config('week')) }}

{{ analytics_aggregates_sql('week') }}
