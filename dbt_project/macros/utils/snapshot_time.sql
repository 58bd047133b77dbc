{#
    The time dbt's snapshots take as "now", as timestamptz like the updated_at columns they
    follow. dbt-postgres casts it to timestamp without time zone, and every snapshot then
    warned that the two types differ. Our snapshots (timestamp strategy, hard_deletes
    ignore) record no snapshot time: valid_from/to and dbt_updated_at come from updated_at,
    so only the warning goes. Were hard deletes recorded one day, a timestamptz now() is
    also the right value for their timestamptz columns.
#}
{% macro postgres__snapshot_get_time() -%}
    {{ current_timestamp() }}
{%- endmacro %}
