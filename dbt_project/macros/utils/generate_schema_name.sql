{#
    Custom schemas are used verbatim (staging, quarantine, marts, snapshots, ...), not
    prefixed with the target schema: BI tools and the metric models name them directly.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
