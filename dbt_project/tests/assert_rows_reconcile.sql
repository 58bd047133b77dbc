-- Fails on any source table and partition of the run's window where raw rows != staging
-- rows + quarantined rows. The other partitions were reconciled by the runs that loaded
-- them, and a re-check moves a row between staging and quarantine without leaving either.
select *
from {{ ref('row_reconciliation') }}
where
    not is_balanced
    and _partition >= {{ window_start() }}
    and _partition < {{ window_end() }}
