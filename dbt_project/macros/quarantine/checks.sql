{#
    One macro per kind of bad row: each yields its reason code when the row breaks the
    rule, else null. Staging models list them, so each reads like the contract's rules.
#}

{# null_key: a key column is null. #}
{% macro check_null_key(columns) -%}
    case when {% for c in columns %}{{ c }} is null{% if not loop.last %} or {% endif %}{% endfor %} then 'null_key' end
{%- endmacro %}

{# duplicate_key: the row shares its key with a newer one (see checked_rows). #}
{% macro check_duplicate_key(rank_column='_dup_rank') -%}
    case when {{ rank_column }} > 1 then 'duplicate_key' end
{%- endmacro %}

{# invalid_enum: a value outside the set (a missing value is outside it too). #}
{% macro check_enum(column, values, nullable=false) -%}
    case when {% if not nullable %}{{ column }} is null or {% endif %}{{ column }} not in (
        {%- for v in values %}'{{ v }}'{% if not loop.last %}, {% endif %}{% endfor -%}
    ) then 'invalid_enum' end
{%- endmacro %}

{# out_of_range: a number outside [low, high]; a missing one too unless nullable. #}
{% macro check_range(column, low, high, nullable=true) -%}
    case when {% if not nullable %}{{ column }} is null or {% endif %}{{ column }} < {{ low }} or {{ column }} > {{ high }} then 'out_of_range' end
{%- endmacro %}

{# negative_value: a duration or price below zero. #}
{% macro check_not_negative(column) -%}
    case when {{ column }} < 0 then 'negative_value' end
{%- endmacro %}

{# negative_value: an amount that is not > 0 (a missing amount is not > 0 either). #}
{% macro check_positive(column) -%}
    case when {{ column }} is null or {{ column }} <= 0 then 'negative_value' end
{%- endmacro %}

{# end_before_start: an end time before its start. #}
{% macro check_end_after_start(end_column, start_column) -%}
    case when {{ end_column }} < {{ start_column }} then 'end_before_start' end
{%- endmacro %}

{# future_timestamp: a time after the row was written (its updated_at or received_at). #}
{% macro check_not_after(columns, written_at) -%}
    case when {% for c in columns %}{{ c }} > {{ written_at }}{% if not loop.last %} or {% endif %}{% endfor %} then 'future_timestamp' end
{%- endmacro %}

{# before_platform: a timestamp before the platform existed. #}
{% macro check_after_launch(columns) -%}
    {%- set launch = "timestamptz '" ~ var('platform_launch') ~ " 00:00:00+00'" -%}
    case when {% for c in columns %}{{ c }} < {{ launch }}{% if not loop.last %} or {% endif %}{% endfor %} then 'before_platform' end
{%- endmacro %}

{#
    orphan_fk: a foreign key with no valid row in the referenced table. `parent_key` is the
    key column of a left join to the parent's staging model: null when nothing matched.
    Checking against staging (not raw) keeps every key of the valid layer resolvable. A
    required key that is missing has no parent row either.
#}
{% macro check_fk(fk_column, parent_key, required=false) -%}
    {%- if required -%}
    case when {{ parent_key }} is null then 'orphan_fk' end
    {%- else -%}
    case when {{ fk_column }} is not null and {{ parent_key }} is null then 'orphan_fk' end
    {%- endif -%}
{%- endmacro %}

{# invalid_enum: a variant that is not one of its (valid) experiment's variants. #}
{% macro check_variant(variant_column, variants_column, parent_key) -%}
    case when {{ parent_key }} is not null
        and ({{ variant_column }} is null or not ({{ variant_column }} = any({{ variants_column }})))
        then 'invalid_enum' end
{%- endmacro %}

{# malformed_json: JSON that is not an object (a missing one included). #}
{% macro check_json_object(column) -%}
    case when {{ column }} is null or jsonb_typeof({{ column }}) <> 'object' then 'malformed_json' end
{%- endmacro %}

{# invalid_country: a country code that is not two upper-case letters. #}
{% macro check_country(column, nullable=true) -%}
    case when {% if not nullable %}{{ column }} is null or {% endif %}{{ column }}::text !~ '^[A-Z]{2}$' then 'invalid_country' end
{%- endmacro %}

{# invalid_country: a list of country codes with one that is not two upper-case letters. #}
{% macro check_countries(column) -%}
    case when exists (
        select 1 from unnest({{ column }}) as country (code) where country.code is null or country.code !~ '^[A-Z]{2}$'
    ) then 'invalid_country' end
{%- endmacro %}

{# invalid_review_target: a review names neither or both of content_id and mentor_id. #}
{% macro check_review_target(content_column, mentor_column) -%}
    case when ({{ content_column }} is null) = ({{ mentor_column }} is null) then 'invalid_review_target' end
{%- endmacro %}
