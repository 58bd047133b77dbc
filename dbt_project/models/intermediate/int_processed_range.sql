-- The days the warehouse holds: from the first to the last daily partition loaded into raw,
-- over every source table. "As of the last processed day" means as of `as_of_date`; it
-- depends on what raw holds only, never on the order in which partitions were loaded.
-- Read from the checked tables, which hold every raw row with its partition and index it
-- (raw has only a block-range index, and min/max over it would read all of raw).
with partitions as (
    {% for table in var('source_tables') %}
        select
            min(_partition) as first_partition,
            max(_partition) as last_partition
        from {{ ref('chk_' ~ table) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select
    min(first_partition) as first_date,
    max(last_partition) as as_of_date
from partitions
