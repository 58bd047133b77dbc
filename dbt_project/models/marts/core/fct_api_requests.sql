{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['request_id'], 'unique': True}, {'columns': ['request_date']}],
        pre_hook="{{ delete_days_to_rebuild('request_date', api_request_days_to_rebuild()) }}",
        post_hook="{{ record_watermarks(['chk_api_requests']) }}",
    )
}}
-- One row per valid API request. Daily partitions, rebuilt by affected day like fct_events.
select
    request_id,
    method,
    path,
    status_code,
    response_ms,
    user_id,
    occurred_at,
    {{ utc_date('occurred_at') }} as request_date,
    status_code >= 500 as is_server_error,
    status_code >= 400 and status_code < 500 as is_client_error
from {{ ref('stg_api_requests') }}
{% if is_incremental() %}
    where {{ utc_date('occurred_at') }} in {{ rebuilt_days() }}
{% endif %}
