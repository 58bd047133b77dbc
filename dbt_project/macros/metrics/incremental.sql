{#-
  How a typed metric model is materialized: an incremental table in schema analytics whose
  run deletes every bucket it recomputes (the window's, plus the lookback) and inserts the
  new rows, in one transaction. Deleting the bucket range rather than matching keys also
  removes a dimension value that has disappeared (a currency whose only payment staging
  has since rejected).
-#}

{% macro metric_config(metric_type, grain) -%}
  {#- The config of a typed metric model: {{ config(**metric_config('users.growth', 'day')) }} -#}
  {{ return({
    'materialized': 'incremental',
    'incremental_strategy': 'bucket_window',
    'on_schema_change': 'sync_all_columns',
    'full_refresh': false,
    'schema': 'analytics',
    'tags': ['metrics', metric_grain_suffix(grain)],
    'meta': {'metric_type': metric_type, 'grain': grain},
    'indexes': [{'columns': ['time_bucket', 'dimension'], 'unique': true}],
    'pre_hook': [metric_session_settings()],
  }) }}
{%- endmacro %}

{% macro metric_session_settings() -%}
  {#- Runs inside the model's transaction. JIT off: the planner's cost guesses for these
      queries (cross joins with the spine, long statistics expressions) cross the JIT
      threshold, and compiling them takes tens of seconds for a query that runs in
      milliseconds. -#}
  {{ return('set local jit = off') }}
{%- endmacro %}

{% macro get_incremental_bucket_window_sql(arg_dict) -%}
  {#- A custom incremental strategy (incremental_strategy='bucket_window'): delete the
      recomputed bucket range from the target, insert the new rows. -#}
  {%- set meta = config.get('meta') -%}
  {%- set target = arg_dict['target_relation'] -%}
  {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
  delete from {{ target }}
  where time_bucket >= {{ metric_lo(meta['grain'], metric_lookback(meta['metric_type'], meta['grain'])) }}
    and time_bucket < {{ metric_hi() }};
  insert into {{ target }} ({{ columns }})
  select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}
