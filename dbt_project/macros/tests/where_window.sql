{#
    dbt's hook for a test's `where` config, with the run's window filled in: a test of an
    incremental mart checks the days the run built (`where: "event_date >= __window_start__
    and event_date < __window_end__"`), not the whole history every run. The window is
    read when the test executes (macros/utils/window.sql), so a run of one day tests one
    day, and a plain `dbt build` (the default window) tests every day.
#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- set where = where | replace('__window_start__', window_start()) | replace('__window_end__', window_end()) -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) as dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}
