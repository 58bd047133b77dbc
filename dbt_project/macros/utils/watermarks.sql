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
    )
{%- endmacro %}

{# The rows of a checked table (chk_*) checked since this model last read it. #}
{% macro checked_since_last_build(checked_model) -%}
    (
        select fresh.*
        from {{ ref(checked_model) }} as fresh
        where fresh._checked_at > coalesce((
            select w.checked_at from {{ watermarks_relation() }} as w
            where w.consumer = '{{ this.identifier }}' and w.checked_model = '{{ checked_model }}'
        ), '-infinity'::timestamptz)
    )
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
