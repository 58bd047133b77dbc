{#-
  Helpers that several metric types' macros (types/*.sql) use. A helper only one metric type
  uses stays in that type's file; the buckets every metric model starts from are in
  buckets.sql, its inputs in inputs.sql.
-#}

{% macro metric_ratio(numerator, denominator) -%}
  {#- A rate whose denominator is 0 (or null) is null, never 0. -#}
  (({{ numerator }})::numeric / nullif(({{ denominator }})::numeric, 0))
{%- endmacro %}

{% macro community_dimensions() -%}
  {#- The dimension CTE of the per-community metrics: '' for all communities, then each
      community created before the window's last bucket ends. -#}
dimensions as (
    select ''::text as dimension, null::timestamp as created_at
    union all
    select c.community_id::text, c.created_at
    from {{ metric_input('communities') }} as c
    where c.created_at < (select last_end from bounds)
)
{%- endmacro %}
