-- Every raw users row, with the reasons it breaks the source contract (none: valid).
{%- set key = ['id'] %}
{%- set parents = [] %}
{{ config(unique_key=key, indexes=checked_table_indexes(key, parents)) }}
{%- set checks = [
    check_null_key(['c.id']),
    check_duplicate_key('c._dup_rank'),
    check_enum('c.role', source_enum('users', 'role')),
    check_country('c.country_code'),
    check_after_launch(['c.created_at', 'c.updated_at', 'c.last_login_at', 'c.deleted_at']),
    check_not_after(['c.created_at', 'c.last_login_at', 'c.deleted_at'], 'c.updated_at')
] %}

with c as (
    {{ checked_rows('users', key, 'updated_at', parents) }}
)

select
    c.*,
    {{ passes_checks(checks) }} as _is_valid,
    {{ quarantine_reasons(checks) }} as _reasons,
    {{ checked_at() }} as _checked_at
from c
