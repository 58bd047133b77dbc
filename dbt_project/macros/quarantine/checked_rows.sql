{#
    The raw rows of one source table that this run checks (all of them in a first build,
    the window's and the ones it can change otherwise: macros/quarantine/recheck.sql), with
    what every check needs: the key as text and its rank among the rows sharing its key.

    Duplicate keys keep the newest row: the latest `newest_by` (updated_at of mutable
    tables, the event time of append-only ones), ties broken by the md5 of the row's JSON
    and then by partition, so the winner depends on the data only, never on load order.
    A re-check takes every row of a key it touches, so the rank is over all of them.
#}
{% macro checked_rows(table, key, newest_by, parents=[]) -%}
    {%- set key_cols = key if key is not string else [key] -%}
    {%- set row_json = "(to_jsonb(src) - '_loaded_at' - '_partition')" -%}
    {%- set key_list = key_cols | join(', ') -%}
    {%- set src_keys -%}{% for c in key_cols %}src.{{ c }}{% if not loop.last %}, {% endif %}{% endfor %}{%- endset -%}
    {%- set key_is_null -%}{% for c in key_cols %}src.{{ c }} is null{% if not loop.last %} or {% endif %}{% endfor %}{%- endset -%}
    {%- set key_text -%}
        {%- if key_cols | length == 1 -%}src.{{ key_cols[0] }}::text
        {%- else -%}jsonb_build_array({{ src_keys }})::text{%- endif -%}
    {%- endset -%}
    {#- A first build reads raw itself (three times, as the planner likes); a re-check
        reads its few rows once, into a CTE. -#}
    {%- set rows = 'rows_in_run' if is_incremental() else source('raw', table) -%}
    {#- A re-check reads which parents this run re-checked: dbt must know it at parse time. -#}
    {%- for p in parents %}{% do ref('chk_' ~ p.parent) %}{% endfor -%}
    {#- Ranking every row would sort the whole table on the md5 of each row; only the
        keys that occur more than once need it, and they are few. -#}
    with
    {%- if is_incremental() %}
    rows_in_run as materialized (
        {{ rows_to_check(table, key_cols, table in var('mutable_source_tables'), parents) }}
    ),
    {%- endif %}

    duplicated_keys as (
        select {{ key_list }}
        from {{ rows }}
        where {% for c in key_cols %}{{ c }} is not null{% if not loop.last %} and {% endif %}{% endfor %}
        group by {{ key_list }}
        having count(*) > 1
    )

    select
        src.*,
        {{ key_text }} as _source_key,
        case when {{ key_is_null }} then null else 1 end as _dup_rank
    from {{ rows }} as src
    where not exists (
        select 1 from duplicated_keys as dup
        where {% for c in key_cols %}dup.{{ c }} = src.{{ c }}{% if not loop.last %} and {% endif %}{% endfor %}
    )

    union all

    select
        src.*,
        {{ key_text }} as _source_key,
        row_number() over (
            partition by {{ src_keys }}
            order by src.{{ newest_by }} desc nulls last, md5({{ row_json }}::text) desc, src._partition desc
        ) as _dup_rank
    from {{ rows }} as src
    where exists (
        select 1 from duplicated_keys as dup
        where {% for c in key_cols %}dup.{{ c }} = src.{{ c }}{% if not loop.last %} and {% endif %}{% endfor %}
    )
{%- endmacro %}


{#
    A row is valid when every check yields null: cheap enough for staging to test on
    every row (the reasons themselves are only built for the quarantine).
#}
{% macro passes_checks(checks) -%}
    coalesce(
        {%- for check in checks %}
        {{ check }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    ) is null
{%- endmacro %}


{#
    The reasons a row is rejected: the distinct codes of the failed checks, sorted, as
    text[] (empty when the row is valid). Each check is an SQL expression that yields its
    reason code (analytics_assets/source/bad_rows.py) or null.
#}
{% macro quarantine_reasons(checks) -%}
    array(
        select distinct reason.code
        from unnest(array[
            {%- for check in checks %}
            {{ check }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        ]::text[]) as reason (code)
        where reason.code is not null
        order by reason.code
    )
{%- endmacro %}



{#
    A checked row as the source row it came from: JSON without the load bookkeeping and the
    columns the checks added.
#}
{% macro source_row_json(alias) -%}
    (to_jsonb({{ alias }}) - array['_loaded_at', '_partition', '_source_key', '_dup_rank', '_is_valid', '_reasons', '_checked_at'])
{%- endmacro %}
