{#
    Date helpers (no dbt_utils: `dbt deps` cannot reach the package hub). Every day is a
    UTC day whatever the session's time zone, so timestamps are converted explicitly.
#}

{# The UTC calendar day of a timestamptz. #}
{% macro utc_date(column) -%}
    (({{ column }}) at time zone 'UTC')::date
{%- endmacro %}

{# The UTC hour of day (0-23) of a timestamptz. #}
{% macro utc_hour(column) -%}
    extract(hour from ({{ column }}) at time zone 'UTC')::int
{%- endmacro %}

{# The first instant (timestamptz) of a UTC day. #}
{% macro day_start(day) -%}
    (({{ day }})::timestamp at time zone 'UTC')
{%- endmacro %}

{# Whole days from date a to date b (b - a). #}
{% macro days_between(a, b) -%}
    (({{ b }})::date - ({{ a }})::date)
{%- endmacro %}

{# Date d plus n days. #}
{% macro add_days(d, n) -%}
    (({{ d }})::date + ({{ n }})::int)
{%- endmacro %}

{# Seconds of an interval, as numeric. #}
{% macro interval_seconds(interval) -%}
    extract(epoch from ({{ interval }}))
{%- endmacro %}

{#
    One row per day, column `date_day`, for the days [start_date, end_date): a date spine
    in the manner of dbt_utils.date_spine, from SQL date expressions.
#}
{% macro date_spine(start_date, end_date) -%}
    select spine.day::date as date_day
    from generate_series(
        ({{ start_date }})::timestamp,
        ({{ end_date }})::timestamp - interval '1 day',
        interval '1 day'
    ) as spine (day)
{%- endmacro %}

{# Every day of the processed range, from the first raw partition to the last (date_day). #}
{% macro processed_days() -%}
    select spine.date_day
    from {{ ref('int_processed_range') }} as processed
    cross join lateral ({{ date_spine('processed.first_date', 'processed.as_of_date + 1') }}) as spine
{%- endmacro %}
