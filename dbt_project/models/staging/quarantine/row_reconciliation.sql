-- Per source table and partition: raw rows = staging rows + quarantined rows. A row is
-- never dropped silently; the singular test assert_rows_reconcile fails on any gap.
-- One union of the three counts, grouped: a filter on _partition (the test's window)
-- reaches every count's scan, where a full outer join of the counts hid it behind coalesce.
with counts as (
    {% for table in var('source_tables') %}
        select
            '{{ table }}'::text as source_table,
            _partition,
            count(*) as raw_rows,
            0 as staging_rows,
            0 as quarantined_rows
        from {{ source('raw', table) }}
        group by _partition
        union all
        select
            '{{ table }}'::text as source_table,
            _partition,
            0 as raw_rows,
            count(*) as staging_rows,
            0 as quarantined_rows
        from {{ ref('stg_' ~ table) }}
        group by _partition
        union all
    {% endfor %}
    select
        source_table,
        _partition,
        0 as raw_rows,
        0 as staging_rows,
        count(*) as quarantined_rows
    from {{ ref('quarantined_rows') }}
    group by source_table, _partition
)

select
    source_table,
    _partition,
    sum(raw_rows) as raw_rows,
    sum(staging_rows) as staging_rows,
    sum(quarantined_rows) as quarantined_rows,
    sum(raw_rows) = sum(staging_rows) + sum(quarantined_rows) as is_balanced
from counts
group by source_table, _partition
