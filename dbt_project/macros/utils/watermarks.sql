{#
    How far an incremental mart has read each checked staging table.

    Every checked row carries `_checked_at`, the start of the dbt invocation that last
    checked it (macros/quarantine/recheck.sql): a row whose verdict or content may have
    changed was checked again, and a row that did not change keeps its time. A mart that
    remembers the latest `_checked_at` it has read of each checked table finds what changed
    since with one index range scan, however long the history.

    `staging.check_watermarks` holds one row per (mart, checked table). The mart's post-hook
    advances it in the mart's own transaction, so a failed build leaves it where it was and
    the next build reads the same rows again.

    Marts that read other incremental marts follow them the same way: each incremental mart
    logs the days it rebuilt, with its invocation's start, in `staging.rebuilt_days`
    (delete_days_to_rebuild), and a reader rebuilds the days rebuilt since it last read
    them. The watermark's `checked_model` is then the mart read.
#}

{% macro watermarks_relation() -%}
    {{ return(api.Relation.create(database=target.database, schema='staging', identifier='check_watermarks')) }}
{%- endmacro %}

{# on-run-start: the table, where missing. #}
{% macro create_watermarks() -%}
    create schema if not exists staging;
    create table if not exists {{ watermarks_relation() }} (
        consumer text not null,
        checked_model text not null,
        checked_at timestamptz not null,
        primary key (consumer, checked_model)
    );
    create table if not exists {{ rebuilt_days_relation() }} (
        model text not null,
        day date not null,
        rebuilt_at timestamptz not null,
        primary key (model, rebuilt_at, day)
    )
{%- endmacro %}

{% macro rebuilt_days_relation() -%}
    {{ return(api.Relation.create(database=target.database, schema='staging', identifier='rebuilt_days')) }}
{%- endmacro %}

{# The watermark of this model on `read_model`: what it has read up to, or -infinity. #}
{% macro _watermark(read_model) -%}
    coalesce((
        select w.checked_at from {{ watermarks_relation() }} as w
        where w.consumer = '{{ this.identifier }}' and w.checked_model = '{{ read_model }}'
    ), '-infinity'::timestamptz)
{%- endmacro %}

{# The rows of a checked table (chk_*) checked since this model last read it. #}
{% macro checked_since_last_build(checked_model) -%}
    (
        select fresh.*
        from {{ ref(checked_model) }} as fresh
        where fresh._checked_at > {{ _watermark(checked_model) }}
    )
{%- endmacro %}

{# The days an incremental mart rebuilt since this model last read it (one column, `day`). #}
{% macro rebuilt_since_last_build(mart) -%}
    select logged.day
    from {{ rebuilt_days_relation() }} as logged
    where logged.model = '{{ ref(mart).identifier }}' and logged.rebuilt_at > {{ _watermark(mart) }}
{%- endmacro %}

{# Post-hook: this model has now read the days these marts rebuilt, up to their latest. #}
{% macro record_rebuilt_watermarks(marts) -%}
    {%- for mart in marts %}
    insert into {{ watermarks_relation() }} (consumer, checked_model, checked_at)
    select '{{ this.identifier }}', '{{ mart }}', max(logged.rebuilt_at)
    from {{ rebuilt_days_relation() }} as logged
    where logged.model = '{{ ref(mart).identifier }}'
    having max(logged.rebuilt_at) is not null
    on conflict (consumer, checked_model) do update set checked_at = excluded.checked_at;
    {%- endfor %}
{%- endmacro %}

{# Post-hook: this model has now read each of these checked tables up to their latest row. #}
{% macro record_watermarks(checked_models) -%}
    {%- for checked_model in checked_models %}
    insert into {{ watermarks_relation() }} (consumer, checked_model, checked_at)
    select '{{ this.identifier }}', '{{ checked_model }}', max(checked._checked_at)
    from {{ ref(checked_model) }} as checked
    having max(checked._checked_at) is not null
    on conflict (consumer, checked_model) do update set checked_at = excluded.checked_at;
    {%- endfor %}
{%- endmacro %}
