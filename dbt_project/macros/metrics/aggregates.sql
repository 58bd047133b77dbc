{#-
  analytics.analytics_aggregates, the app's contract (METRICS.md): one row per metric_type,
  grain, time_bucket and dimension, its values in `data`.

  One physical table is written by three dbt models, analytics_aggregates_daily / _weekly /
  _monthly, one per grain, so each grain's Dagster asset group owns its slice: a model of
  materialization `analytics_aggregates_slice` creates the table if needed, replaces its
  grain's rows in the recomputed bucket range, and publishes its own relation as a view of
  its slice (what dbt tests and ref() see).
-#}

{% macro aggregate_id(metric_type, grain, time_bucket, dimension) -%}
  {#- Deterministic: the same (metric_type, grain, time_bucket, dimension) always gets the same
      uuid, so a rerun keeps it. The timestamp is formatted explicitly (DateStyle must not
      change an id). -#}
  md5({{ metric_type }} || '|' || {{ grain }} || '|'
      || to_char({{ time_bucket }}, 'YYYY-MM-DD"T"HH24:MI:SS.US') || '|' || {{ dimension }})::uuid
{%- endmacro %}

{% macro aggregate_rows(metric_type, grain) -%}
  {#- The aggregate rows of one typed metric model over the grain's recomputed range: every
      column but time_bucket and dimension becomes a key of `data`. -#}
  {%- set model = metric_model_name(metric_type, grain) -%}
  select
    {{ aggregate_id("'" ~ metric_type ~ "'", "'" ~ grain ~ "'", 'm.time_bucket', 'm.dimension') }} as id,
    '{{ metric_type }}'::varchar(50) as metric_type,
    '{{ grain }}'::varchar(5) as grain,
    m.time_bucket,
    m.dimension,
    to_jsonb(m) - 'time_bucket' - 'dimension' as data
  from {{ ref(model) }} as m
  where m.time_bucket >= {{ metric_lo(grain, metric_max_lookback(grain)) }}
    and m.time_bucket < {{ metric_hi() }}
{%- endmacro %}

{% macro analytics_aggregates_config(grain) -%}
  {#- The config of a slice model: {{ config(**analytics_aggregates_config('day')) }} -#}
  {{ return({
    'materialized': 'analytics_aggregates_slice',
    'schema': 'analytics',
    'tags': ['metrics', metric_grain_suffix(grain)],
    'pre_hook': [metric_session_settings()],
    'meta': {'grain': grain},
    'unique_key': ['metric_type', 'grain', 'time_bucket', 'dimension'],
  }) }}
{%- endmacro %}

{% macro analytics_aggregates_sql(grain) -%}
  {#- The SQL of a slice model: the aggregate rows of every metric of the grain. -#}
  {%- for metric_type in metric_types_of_grain(grain) %}
  {{ aggregate_rows(metric_type, grain) }}
  {% if not loop.last %}union all{% endif %}
  {%- endfor %}
{%- endmacro %}

{% macro analytics_aggregates_ddl(relation) -%}
  {#- The table exactly as METRICS.md defines it. The unique index (metric_type, grain,
      time_bucket, dimension) also serves the app's query
        where metric_type = ? and grain = ? and time_bucket >= ? and time_bucket < ?
      (two equalities, then a range, on its leading columns). -#}
  create schema if not exists {{ relation.schema }};
  create table if not exists {{ relation }} (
    id uuid not null primary key,
    metric_type varchar(50) not null,
    grain varchar(5) not null check (grain in ('day', 'week', 'month')),
    time_bucket timestamp not null,
    dimension text not null default '',
    data jsonb not null,
    created_at timestamp not null default (now() at time zone 'UTC'),
    constraint analytics_aggregates_metric_bucket_key
      unique (metric_type, grain, time_bucket, dimension)
  );
  comment on table {{ relation }} is
    'Every metric of METRICS.md per grain, bucket and dimension; written by the dbt models analytics_aggregates_daily, _weekly and _monthly.'
{%- endmacro %}

{% materialization analytics_aggregates_slice, adapter='postgres' -%}
  {%- set grain = config.get('meta')['grain'] -%}
  {%- set table = api.Relation.create(
        database=this.database, schema=this.schema, identifier='analytics_aggregates',
        type='table') -%}
  {%- set slice_view = this.incorporate(type='view') -%}
  {%- set existing = load_cached_relation(this) -%}
  {%- set staged = this.identifier ~ '__new_rows' -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% call statement('ensure_table') -%}
    -- One writer of the shared table at a time (the grains' runs may overlap).
    select pg_advisory_xact_lock(hashtext('{{ table }}'));
    {{ analytics_aggregates_ddl(table) }}
  {%- endcall %}

  {% call statement('main') -%}
    create temporary table "{{ staged }}" on commit drop as
    {{ sql }};

    -- Replace the recomputed range of this grain: delete what is no longer there, then
    -- upsert what is (created_at keeps its first value). The upsert comes last so that
    -- dbt's rows_affected, the Dagster row count, is the rows the slice wrote.
    delete from {{ table }} as t
    where t.grain = '{{ grain }}'
      and t.time_bucket >= {{ metric_lo(grain, metric_max_lookback(grain)) }}
      and t.time_bucket < {{ metric_hi() }}
      and not exists (
        select 1 from "{{ staged }}" as n
        where n.metric_type = t.metric_type
          and n.time_bucket = t.time_bucket
          and n.dimension = t.dimension
      );

    insert into {{ table }} as t (id, metric_type, grain, time_bucket, dimension, data)
    select id, metric_type, grain, time_bucket, dimension, data from "{{ staged }}"
    on conflict (metric_type, grain, time_bucket, dimension) do update
      set id = excluded.id, data = excluded.data;
  {%- endcall %}

  {% if existing is not none and existing.type != 'view' %}
    {{ adapter.drop_relation(existing) }}
  {% endif %}
  {% call statement('slice_view') -%}
    create or replace view {{ slice_view }} as
    select id, metric_type, grain, time_bucket, dimension, data, created_at
    from {{ table }}
    where grain = '{{ grain }}'
  {%- endcall %}

  {#- Grants configured for the model (a BI role) reach the view and the table behind it. -#}
  {%- set grant_config = config.get('grants') -%}
  {% do apply_grants(slice_view, grant_config, should_revoke=False) %}
  {% do apply_grants(table, grant_config, should_revoke=False) %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [slice_view]}) }}
{%- endmaterialization %}
