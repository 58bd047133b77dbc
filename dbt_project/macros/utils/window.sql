{#
    The run's half-open window [window_start, window_end) of UTC days: the one place dbt
    reads and checks it. Dagster passes a partition's window in the environment
    (ANALYTICS_WINDOW_START, ANALYTICS_WINDOW_END); a hand-run `dbt build` may pass --vars
    instead, and without either dbt_project.yml's defaults cover every day.

    Why the environment and not --vars: dbt re-parses the whole project whenever --vars
    differ from its last parse, which was every run (about 3.5 s per dbt invocation here). The
    variables are read only when executing, so parsing never records them and a run parses
    only what changed.

    The models read it as window_start() / window_end() (date literals: the checked tables,
    the marts, their tests) or as metric_window() (the values, which the metric models turn
    into buckets: macros/metrics/buckets.sql); window_value checks every value they read.
#}

{% macro window_bound(name) -%}
    {%- if execute -%}
        {{ return(env_var('ANALYTICS_' ~ (name | upper), var(name) | string)) }}
    {%- endif -%}
    {{ return(var(name) | string) }}
{%- endmacro %}

{% macro window_value(name) -%}
    {#- window_bound(name), checked: a UTC date YYYY-MM-DD (what a partition's window is). -#}
    {%- set value = window_bound(name) -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value) -%}
        {{ exceptions.raise_compiler_error(
             name ~ " must be a UTC date YYYY-MM-DD, got '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{% macro window_start() -%}
    date '{{ window_value("window_start") }}'
{%- endmacro %}

{% macro window_end() -%}
    date '{{ window_value("window_end") }}'
{%- endmacro %}

{% macro metric_window() -%}
    {#- The window of the metric models: {'start': window_start, 'end': window_end}, UTC
        dates. -#}
    {{ return({'start': window_value('window_start'), 'end': window_value('window_end')}) }}
{%- endmacro %}

{# A raw row was loaded by a partition of this run's window (see check_start). #}
{% macro loaded_in_window(alias) -%}
    ({{ alias }}._partition >= {{ check_start() }} and {{ alias }}._partition < {{ window_end() }})
{%- endmacro %}

{#
    The first partition whose raw rows a checked table checks: the window's first day, or
    for a mutable table the day after the last partition it has checked, when that is
    earlier. A mutable table's load also takes the older rows raw did not hold yet (the
    first run of a range, a run after a gap: analytics_assets/raw/loader.py), which land in
    the partitions of their own days, before the window; no run has checked them. One
    probe of the checked table's _partition index. Nothing checked yet: every partition.
#}
{% macro check_start() -%}
    {%- if execute and is_incremental() and model.name.startswith('chk_') and model.name[4:] in var('mutable_source_tables') -%}
        {%- set checked = run_query("select max(_partition) + 1 from " ~ this).columns[0].values()[0] -%}
        {%- set after = checked.isoformat() if checked is not none else '0001-01-01' -%}
        least({{ window_start() }}, date '{{ after }}')
    {%- else -%}
        {{ window_start() }}
    {%- endif -%}
{%- endmacro %}
