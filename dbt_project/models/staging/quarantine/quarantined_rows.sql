-- Every raw row that staging rejected, from every source table, with its reasons.
-- A view over the checked models: always consistent with raw, whatever the load order.
{% for table in var('source_tables') %}
    select
        '{{ table }}'::text as source_table,
        chk._source_key as source_key,
        chk._partition,
        chk._reasons as reasons,
        {{ source_row_json('chk') }} as row_data,
        chk._loaded_at
    from {{ ref('chk_' ~ table) }} as chk
    where not chk._is_valid
    {% if not loop.last %}union all{% endif %}
{% endfor %}
