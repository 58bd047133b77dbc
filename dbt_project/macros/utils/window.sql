{#
    The run's half-open window [window_start, window_end) of UTC days, from --vars.
    Dagster passes a partition's window; dbt_project.yml's defaults cover every day.
#}

{% macro _window_var(name) -%}
    {%- set value = var(name) | string -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value) -%}
        {{ exceptions.raise_compiler_error(name ~ " must be a date YYYY-MM-DD, got '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{% macro window_start() -%}
    date '{{ _window_var("window_start") }}'
{%- endmacro %}

{% macro window_end() -%}
    date '{{ _window_var("window_end") }}'
{%- endmacro %}

{# A raw row was loaded by a partition of this run's window. #}
{% macro loaded_in_window(alias) -%}
    ({{ alias }}._partition >= {{ window_start() }} and {{ alias }}._partition < {{ window_end() }})
{%- endmacro %}
