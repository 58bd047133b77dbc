{#
    A keyed hash that pseudonymises a PII value where a join key is needed in the marts:
    md5(key || value). The key comes from ANALYTICS_PII_KEY (or --vars pii_key), so the
    hash cannot be recomputed from a guessed value without it. pgcrypto's hmac would be
    stronger, but the embedded PostgreSQL (pgserver) ships without pgcrypto.
#}
{% macro pseudonymize(column) -%}
    md5('{{ var("pii_key", env_var("ANALYTICS_PII_KEY", "analytics-demo-pii-key")) | replace("'", "''") }}' || ':' || ({{ column }})::text)
{%- endmacro %}
