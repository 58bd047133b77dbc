{#
    The checked tables (chk_*) are incremental: a run checks the raw rows of its window and
    re-checks only the older rows whose verdict the window can change. Everything else
    keeps the verdict it was given, so a run reads the window, not the history.

    A row's verdict depends on more than the row:
    - its duplicates (the same key in any partition): rows sharing a key with a row of the
      window are re-ranked together, whichever partition holds them;
    - its parents (check_fk): a child whose parent key was re-checked by this run (the
      parent's rows carry this dbt invocation's start in `_checked_at`) is re-checked when its
      orphan_fk reason and the parent's presence in staging disagree: a child not rejected
      as an orphan whose parent is no longer in staging (a parent rejected later), a child
      rejected as an orphan whose parent now is (a parent that arrived late). When the check
      reads more of the parent than its presence (an experiment's variants), every child of
      a re-checked parent is re-checked.

    The rows re-checked are, in one select: every raw row of the window; every row of a key
    in the re-check set (from raw for mutable tables, whose loads move a key's row between
    partitions; from this table for append-only ones, whose rows outside the window are
    raw's as they were checked); the keyless rows of a partition where a keyless child's
    parent state changed. The `recheck` strategy below then deletes the rows they replace
    and inserts them, in the model's transaction.

    A first build, or --full-refresh, checks every raw row.
#}

{#
    When this invocation checks rows: its start, the same for every model it builds, and
    later than any earlier invocation's, so it also orders runs.
#}
{% macro checked_at() -%}
    timestamptz '{{ run_started_at.isoformat() }}'
{%- endmacro %}

{# One parent a check_fk compares with: `fk` in this table, `parent` the source table. #}
{% macro parent_fk(fk, parent, staged_key, any_change=false) -%}
    {{ return({'fk': fk, 'parent': parent, 'staged_key': staged_key, 'any_change': any_change}) }}
{%- endmacro %}

{# The left join of a parent's valid rows that check_fk and check_variant read (p_<fk>). #}
{% macro parent_joins(parents) -%}
    {%- for p in parents %}
left join {{ ref('stg_' ~ p.parent) }} as p_{{ p.fk }}
    on c.{{ p.fk }} = p_{{ p.fk }}.{{ p.staged_key }}
    {%- endfor %}
{%- endmacro %}

{% macro _key_is_null(alias, key_cols) -%}
    ({% for c in key_cols %}{{ alias }}.{{ c }} is null{% if not loop.last %} or {% endif %}{% endfor %})
{%- endmacro %}

{% macro _quoted_columns(names) -%}
    {% for c in names %}{{ adapter.quote(c) }}{% if not loop.last %}, {% endif %}{% endfor %}
{%- endmacro %}

{% macro _key_columns(alias, key_cols) -%}
    {% for c in key_cols %}{{ alias }}.{{ c }}{% if not loop.last %}, {% endif %}{% endfor %}
{%- endmacro %}

{#
    Rows of this table (as it was before the run) whose verdict a re-checked parent can
    change: the parents re-checked by this invocation (`_checked_at`), each with whether
    staging holds it now, and for each the children whose orphan_fk state says the opposite.
    A lateral lookup per parent on the index (fk, has orphan_fk) reads only the children
    that change, never every child of every re-checked parent (the planner cannot know how
    few they are, and would scan the table for them).
#}
{% macro _parent_flips(key_cols, parents) -%}
    {%- for p in parents %}
    select {{ _key_columns('child', key_cols) }}, child._partition
    from (
        select
            rechecked.id,
            exists (
                select from {{ ref('stg_' ~ p.parent) }} as staged
                where staged.{{ p.staged_key }} = rechecked.id
            ) as is_staged
        from {{ ref('chk_' ~ p.parent) }} as rechecked
        where rechecked._checked_at = {{ checked_at() }}
        group by rechecked.id
    ) as parent
    cross join lateral (
        select {{ _key_columns('c', key_cols) }}, c._partition
        from {{ this }} as c
        where c.{{ p.fk }} = parent.id
        {%- if not p.any_change %}
            and {{ has_orphan_reason('c') }} = parent.is_staged
        {%- endif %}
        offset 0  {#- keeps the lookup lateral: the planner would flatten it into a join -#}
    ) as child
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{# The row was rejected (among other reasons, maybe) as an orphan. #}
{% macro has_orphan_reason(alias=none) -%}
    ('orphan_fk' = any({{ alias ~ '.' if alias else '' }}_reasons))
{%- endmacro %}

{#
    The indexes of a checked table: its key (deletes and re-checks by key), its partition
    (the window's rows), the UTC day that marts rebuild by, if given, each foreign key with
    its orphan state (_parent_flips), and when each row was checked (the parents this
    invocation re-checked; the rows a mart has not seen yet, macros/utils/watermarks.sql).
#}
{% macro checked_table_indexes(key_cols, parents=[], day_of=none) -%}
    {%- set indexes = [{'columns': key_cols}, {'columns': ['_partition']}] -%}
    {#- the UTC day the marts select rows by (fct_events: occurred_at) -#}
    {%- if day_of -%}
        {%- do indexes.append({'columns': ['(' ~ utc_date(day_of) ~ ')']}) -%}
    {%- endif -%}
    {%- for p in parents -%}
        {%- do indexes.append({'columns': [p.fk, "(" ~ has_orphan_reason() ~ ")"]}) -%}
    {%- endfor -%}
    {%- do indexes.append({'columns': ['_checked_at']}) -%}
    {{ return(indexes) }}
{%- endmacro %}

{#
    The raw rows an incremental run checks, in raw's columns: see the top of this file.
#}
{% macro rows_to_check(table, key_cols, mutable, parents) -%}
    {%- set raw = source('raw', table) -%}
    {%- set column_list = _quoted_columns(adapter.get_columns_in_relation(raw) | map(attribute='name')) -%}
    {%- set key_list = key_cols | join(', ') -%}
    with flips as (
        {%- if parents %}
        {{ _parent_flips(key_cols, parents) }}
        {%- else %}
        select {% for c in key_cols %}null::bigint as {{ c }}, {% endfor %}null::date as _partition where false
        {%- endif %}
    ),

    recheck_keys as (
        select {{ key_list }} from {{ raw }} as src
        where {{ loaded_in_window('src') }} and not {{ _key_is_null('src', key_cols) }}
        union
        select {{ key_list }} from {{ this }} as chk
        where {{ loaded_in_window('chk') }} and not {{ _key_is_null('chk', key_cols) }}
        union
        select {{ key_list }} from flips as f where not {{ _key_is_null('f', key_cols) }}
    ),

    keyless_partitions as (
        select distinct f._partition from flips as f
        where {{ _key_is_null('f', key_cols) }} and not {{ loaded_in_window('f') }}
    )

    select {{ column_list }} from {{ raw }} as src
    where {{ loaded_in_window('src') }}
    union all
    select rows_of_key.* from recheck_keys as k
    cross join lateral (
        {#- one index lookup per key: a join would scan the table for them -#}
        select {{ column_list }} from {{ raw if mutable else this }} as src
        where not {{ loaded_in_window('src') }}
            and {% for c in key_cols %}src.{{ c }} = k.{{ c }}{% if not loop.last %} and {% endif %}{% endfor %}
        offset 0
    ) as rows_of_key
    union all
    select {{ column_list }} from {{ this }} as src
    where {{ _key_is_null('src', key_cols) }}
        and src._partition in (select kp._partition from keyless_partitions as kp)
{%- endmacro %}

{#
    The `recheck` incremental strategy: the rows of the temp relation replace, in the
    target, every row of the window's partitions, every row of their keys, and the keyless
    rows of their partitions. Three deletes rather than one with `or`, so each uses its
    index instead of a scan of the whole table.
#}
{% macro get_incremental_recheck_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set temp = arg_dict['temp_relation'] -%}
    {%- set key_cols = arg_dict['unique_key'] -%}
    {%- set key_cols = [key_cols] if key_cols is string else key_cols -%}
    {%- set column_list = _quoted_columns(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {#- Without statistics the planner takes the temp relation for a big one, and joins the
        target to it by a scan of the whole target. -#}
    analyze {{ temp }};

    delete from {{ target }} as t where {{ loaded_in_window('t') }};

    {#- `= any(array(...))` is an index condition whatever the planner guesses of the
        keys' number; a join to them was planned as a scan of the whole target. -#}
    delete from {{ target }} as t
    where
        {%- for c in key_cols %}
        t.{{ c }} = any(array(select distinct n.{{ c }} from {{ temp }} as n where n.{{ c }} is not null)) and
        {%- endfor %}
        ({{ _key_columns('t', key_cols) }}) in (
            select {{ _key_columns('n', key_cols) }} from {{ temp }} as n
        );

    delete from {{ target }} as t
    where {{ _key_is_null('t', key_cols) }}
        and t._partition in (
            select n._partition from {{ temp }} as n where {{ _key_is_null('n', key_cols) }}
        );

    insert into {{ target }} ({{ column_list }})
    select {{ column_list }} from {{ temp }}
{%- endmacro %}
