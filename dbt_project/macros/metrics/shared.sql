{#-
  Helpers that several metric types' macros (types/*.sql) use. A helper only one metric type
  uses stays in that type's file; the buckets every metric model starts from are in
  buckets.sql, its inputs in inputs.sql. Below: a rate; the rows of an input a metric reads
  (within the spine, or before its end); the dimensions of the per-community metrics; the
  columns and joins of a metric's final select.
-#}

{% macro metric_ratio(numerator, denominator) -%}
  {#- A rate whose denominator is 0 (or null) is null, never 0. -#}
  (({{ numerator }})::numeric / nullif(({{ denominator }})::numeric, 0))
{%- endmacro %}

{% macro metric_in_spine(ts) -%}
  {#- The condition that ts lies within the spine: from its first bucket to its last bucket's end. -#}
  {{ ts }} >= (select first_bucket from bounds)
      and {{ ts }} < (select last_end from bounds)
{%- endmacro %}

{% macro metric_rows_in_spine(name, alias, time_column, grain=none) -%}
  {#- The rows of metric_input(name) (as alias) within the spine; given a grain, with their time_bucket. -#}
  select
    {%- if grain %} date_trunc('{{ grain }}', {{ alias }}.{{ time_column }}) as time_bucket,{% endif %} {{ alias }}.*
    from {{ metric_input(name) }} as {{ alias }}
    where {{ metric_in_spine(alias ~ '.' ~ time_column) }}
{%- endmacro %}

{% macro metric_rows_before(name, alias, time_column, bound='last_end') -%}
  {#- The rows of metric_input(name) (as alias) from before the spine's end (or its last as_of). -#}
  select {{ alias }}.*
    from {{ metric_input(name) }} as {{ alias }}
    where {{ alias }}.{{ time_column }} < (select {{ bound }} from bounds)
{%- endmacro %}

{% macro metric_active_days_cte(days_before, bound='last_end') -%}
  {#- active_days(user_id, day): a non-admin user with a valid event on that UTC day, from
      days_before days before the spine's first bucket to its last instant (bound last_end), or
      to its last bucket's as_of (bound last_as_of). -#}
active_days as (
    select a.user_id, a.day
    from {{ metric_input('active_days') }} as a
    where a.activity_date >= ((select first_bucket from bounds) - interval '{{ days_before }} day')::date
      and a.activity_date < (select {{ bound }} from bounds)::date
)
{%- endmacro %}

{% macro community_dimensions() -%}
  {#- The dimension CTE of the per-community metrics: '' for all communities (there from the
      start), then each community created before the window's last bucket ends. -#}
dimensions as (
    select ''::text as dimension, '-infinity'::timestamp as created_at
    union all
    select c.community_id::text, c.created_at
    from {{ metric_input('communities') }} as c
    where c.created_at < (select last_end from bounds)
)
{%- endmacro %}

{% macro metric_counts(relation, columns) -%}
  {#- The counts of a left-joined relation, each coalesce(<relation>.<column>, 0)::bigint. -#}
  {%- for column in columns -%}
    coalesce({{ relation }}.{{ column }}, 0)::bigint as {{ column }}{{ ',\n    ' if not loop.last else '' }}
  {%- endfor -%}
{%- endmacro %}

{% macro metric_running_sums(relation, columns) -%}
  {#- Running totals over window w of each column, sum(coalesce(<relation>.<column>, 0)) over w. -#}
  {%- for column in columns -%}
    sum(coalesce({{ relation }}.{{ column }}, 0)) over w as {{ column }}{{ ',\n        ' if not loop.last else '' }}
  {%- endfor -%}
{%- endmacro %}

{% macro metric_dimension_joins(dimensions, since, key, relations) -%}
  {#- The from of a per-dimension metric: spine x dimensions (since < bucket end), relations by bucket and key. -#}
  from spine
  inner join {{ dimensions }} on {{ dimensions }}.{{ since }} < spine.bucket_end
  {%- for relation in relations %}
  left join {{ relation }}
      on spine.time_bucket = {{ relation }}.time_bucket
      and {{ dimensions }}.{{ key }} = {{ relation }}.{{ key }}
  {%- endfor %}
{%- endmacro %}
