-- Per source table and partition: raw rows = staging rows + quarantined rows. A row is
-- never dropped silently; the singular test assert_rows_reconcile fails on any gap.
with counts as (
    {% for table in var('source_tables') %}
        select
            '{{ table }}'::text as source_table,
            _partition,
            count(*) as raw_rows,
            0 as staging_rows
        from {{ source('raw', table) }}
        group by _partition
        union all
        select
            '{{ table }}'::text as source_table,
            _partition,
            0 as raw_rows,
            count(*) as staging_rows
        from {{ ref('stg_' ~ table) }}
        group by _partition
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

quarantined as (
    select
        source_table,
        _partition,
        count(*) as quarantined_rows
    from {{ ref('quarantined_rows') }}
    group by source_table, _partition
),

per_partition as (
    select
        source_table,
        _partition,
        sum(raw_rows) as raw_rows,
        sum(staging_rows) as staging_rows
    from counts
    group by source_table, _partition
)

select
    coalesce(p.source_table, q.source_table) as source_table,
    coalesce(p._partition, q._partition) as _partition,
    coalesce(p.raw_rows, 0) as raw_rows,
    coalesce(p.staging_rows, 0) as staging_rows,
    coalesce(q.quarantined_rows, 0) as quarantined_rows,
    coalesce(p.raw_rows, 0) = coalesce(p.staging_rows, 0) + coalesce(q.quarantined_rows, 0) as is_balanced
from per_partition as p
full outer join quarantined as q
    on p.source_table = q.source_table and p._partition = q._partition
