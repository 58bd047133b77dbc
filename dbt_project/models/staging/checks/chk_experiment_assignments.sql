-- Every raw experiment_assignments row, with the reasons it breaks the source contract (none: valid).
{%- set key = ['experiment_id', 'user_id'] %}
{%- set parents = [
    parent_fk('experiment_id', 'experiments', 'experiment_id', any_change=true),
    parent_fk('user_id', 'users', 'user_id')
] %}
{{ config(
    unique_key=key,
    indexes=checked_table_indexes(key, parents),
) }}
{%- set checks = [
    check_null_key(['c.experiment_id', 'c.user_id']),
    check_duplicate_key('c._dup_rank'),
    check_variant('c.variant', 'p_experiment_id.variants', 'p_experiment_id.experiment_id'),
    check_after_launch(['c.assigned_at']),
    check_fk('c.experiment_id', 'p_experiment_id.experiment_id'),
    check_fk('c.user_id', 'p_user_id.user_id')
] %}

with c as (
    {{ checked_rows('experiment_assignments', key, 'assigned_at', parents) }}
)

select
    c.*,
    {{ passes_checks(checks) }} as _is_valid,
    {{ quarantine_reasons(checks) }} as _reasons,
    {{ checked_at() }} as _checked_at
from c
{{ parent_joins(parents) }}
