{#
    Column lists that the marts write once per column: a count of each value of a column,
    and the counts of a left-joined relation, 0 where it has no row.
#}

{# `count(*) filter (where <column> = '<value>') as <prefix><value><suffix>` for each value, comma-separated. #}
{% macro count_each(column, values, prefix='', suffix='') -%}
    {%- for value in values -%}
        count(*) filter (where {{ column }} = '{{ value }}') as {{ prefix ~ value ~ suffix }}
        {{- ',\n        ' if not loop.last else '' }}
    {%- endfor -%}
{%- endmacro %}

{# `coalesce(<relation>.<column>, 0) as <column>` for each column, comma-separated. #}
{% macro coalesce_to_zero(relation, columns) -%}
    {%- for column in columns -%}
        coalesce({{ relation }}.{{ column }}, 0) as {{ column }}
        {{- ',\n    ' if not loop.last else '' }}
    {%- endfor -%}
{%- endmacro %}
