-- The month-grain slice of analytics.analytics_aggregates (see macros/metrics/aggregates.sql).
{{ config(
    materialized='analytics_aggregates_slice',
    schema='analytics',
    tags=['metrics', 'monthly'],
    pre_hook=[metric_session_settings()],
    meta={'grain': 'month'},
    unique_key=['metric_type', 'grain', 'time_bucket', 'dimension'],
) }}

{{ analytics_aggregates_sql('month') }}
