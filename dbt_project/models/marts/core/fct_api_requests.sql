{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='request_date',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_days_to_rebuild('request_date', api_request_days_to_rebuild()) }}",
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
    where {{ utc_date('occurred_at') }} in ({{ api_request_days_to_rebuild() }})
{% endif %}
