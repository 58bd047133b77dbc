-- The days the warehouse holds: from the first to the last daily partition loaded into raw,
-- over every source table. "As of the last processed day" means as of `as_of_date`; it
-- depends on what raw holds only, never on the order in which partitions were loaded.
with partitions as (
    {% for table in var('source_tables') %}
        select
            min(_partition) as first_partition,
            max(_partition) as last_partition
        from {{ source('raw', table) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select
    min(first_partition) as first_date,
    max(last_partition) as as_of_date
from partitions
