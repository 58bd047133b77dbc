-- One row per valid user, without PII: email and name are left out; email_hash is a keyed
-- hash of the email for joins with other systems that know it. The pre-hook stops the build
-- with a clear message when dbt's session lacks the key (macros/utils/pii.sql).
{{ config(pre_hook="{{ require_pii_key() }}") }}

select
    user_id,
    {{ pseudonymize('email') }} as email_hash,
    role,
    is_internal,
    country_code,
    city,
    is_verified,
    created_at,
    {{ utc_date('created_at') }} as signup_date,
    last_login_at,
    deleted_at,
    is_deleted,
    updated_at
from {{ ref('stg_users') }}
