-- Rejected rows counted by source table, partition and reason (a row with two reasons
-- counts once under each): what BI dashboards of data quality group by.
select
    quarantined.source_table,
    quarantined._partition,
    reason.code as reason,
    count(*) as rejected_rows
from {{ ref('quarantined_rows') }} as quarantined
cross join lateral unnest(quarantined.reasons) as reason (code)
group by quarantined.source_table, quarantined._partition, reason.code
