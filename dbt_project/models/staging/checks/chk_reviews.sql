-- Every raw reviews row, with the reasons it breaks the source contract (none: valid).
{%- set key = ['id'] %}
{%- set parents = [
    parent_fk('user_id', 'users', 'user_id'),
    parent_fk('content_id', 'content', 'content_id'),
    parent_fk('mentor_id', 'users', 'user_id')
] %}
{{ config(unique_key=key, indexes=checked_table_indexes(key, parents)) }}
{%- set checks = [
    check_null_key(['c.id']),
    check_duplicate_key('c._dup_rank'),
    check_range('c.rating', 1, 5, nullable=false),
    check_review_target('c.content_id', 'c.mentor_id'),
    check_after_launch(['c.created_at']),
    check_fk('c.user_id', 'p_user_id.user_id', required=true),
    check_fk('c.content_id', 'p_content_id.content_id'),
    check_fk('c.mentor_id', 'p_mentor_id.user_id')
] %}

with c as (
    {{ checked_rows('reviews', key, 'created_at', parents) }}
)

select
    c.*,
    {{ passes_checks(checks) }} as _is_valid,
    {{ quarantine_reasons(checks) }} as _reasons,
    {{ checked_at() }} as _checked_at
from c
{{ parent_joins(parents) }}
