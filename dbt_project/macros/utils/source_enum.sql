{#
    The values a source column may hold: the source contract's enumeration of it, declared
    once in dbt_project.yml (vars.source_enums), which analytics_assets/source/tables.py
    reads too. The checked staging models pass it to check_enum, the marts' yml to their
    accepted_values tests (`values: "{{ source_enum('payments', 'status') }}"`), so neither
    holds a copy of the values. A column without an enumeration is an error, not an empty set.
#}
{% macro source_enum(table, column) -%}
    {%- set values = var('source_enums', {}).get(table, {}).get(column) -%}
    {%- if not values -%}
        {{ exceptions.raise_compiler_error("no enumeration of " ~ table ~ "." ~ column ~ " in vars.source_enums (dbt_project.yml)") }}
    {%- endif -%}
    {{ return(values | list) }}
{%- endmacro %}
