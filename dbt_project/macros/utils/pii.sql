{#
    A keyed hash that pseudonymises a PII value where a join key is needed in the marts:
    HMAC-SHA256 (RFC 2104) of the value's UTF-8 bytes, hex-encoded, as Python's
    hmac.new(key, value, sha256).hexdigest().

    The key is the session setting analytics.pii_key, which dbt's connections get through
    PGOPTIONS (analytics_assets/dbt/project.py): it is never part of the SQL text, so it
    stays out of the compiled SQL, the manifest, run results and logs under target/.

    Built from PostgreSQL's own sha256() rather than pgcrypto's hmac(): the embedded
    PostgreSQL (pgserver) ships without pgcrypto, and one formula gives the same hashes on
    every server. The two padded keys do not depend on the row: they are uncorrelated
    scalar subqueries, which PostgreSQL computes once per query.
#}
{% macro pseudonymize(column) -%}
    encode(
        sha256(
            ({{ hmac_key_pad(92) }})
            || sha256(({{ hmac_key_pad(54) }}) || convert_to(({{ column }})::text, 'UTF8'))
        ),
        'hex'
    )
{%- endmacro %}

{#
    The key padded to SHA-256's 64-byte block, each byte xor `pad` (54 = 0x36 for the
    inner hash, 92 = 0x5c for the outer one); a key longer than a block is hashed first.
    xor is written (a | b) - (a & b): sqlfluff cannot lex PostgreSQL's # operator.
#}
{% macro hmac_key_pad(pad) -%}
    select decode(
        string_agg(lpad(to_hex((b.byte | {{ pad }}) - (b.byte & {{ pad }})), 2, '0'), '' order by b.i),
        'hex'
    )
    from (
        select
            i,
            case when i < octet_length(k.key) then get_byte(k.key, i) else 0 end as byte
        from (
            select case when octet_length(raw) > 64 then sha256(raw) else raw end as key
            from (select convert_to(current_setting('{{ pii_key_setting() }}'), 'UTF8') as raw) as setting
        ) as k
        cross join generate_series(0, 63) as i
    ) as b
{%- endmacro %}

{% macro pii_key_setting() -%}
    analytics.pii_key
{%- endmacro %}

{#
    A pre-hook for models that pseudonymise: without the key they would fail on
    "unrecognized configuration parameter"; this says what to set instead.
#}
{% macro require_pii_key() -%}
    do $$
    begin
        if coalesce(current_setting('{{ pii_key_setting() }}', true), '') = '' then
            raise exception 'the PII key is not set: dbt reads it from session setting {{ pii_key_setting() }}, which the project passes from ANALYTICS_PII_KEY through PGOPTIONS (-c {{ pii_key_setting() }}=...)';
        end if;
    end
    $$
{%- endmacro %}
