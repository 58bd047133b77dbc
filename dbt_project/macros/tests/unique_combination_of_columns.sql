{#
    Generic test: no two rows share the values of these columns (a composite key), in the
    manner of dbt_utils.unique_combination_of_columns (dbt deps cannot reach the hub).
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    {%- set columns = combination_of_columns | join(', ') -%}
    select {{ columns }}, count(*) as occurrences
    from {{ model }}
    group by {{ columns }}
    having count(*) > 1
{% endtest %}
