-- Fails on any source table and partition where raw rows != staging rows + quarantined rows.
select *
from {{ ref('row_reconciliation') }}
where not is_balanced
