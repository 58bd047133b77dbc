-- One row per valid view, post, comment, like or share in a community.
select
    activity_id,
    community_id,
    user_id,
    activity_type,
    activity_type <> 'view' as is_interaction,
    occurred_at,
    {{ utc_date('occurred_at') }} as activity_date,
    {{ utc_hour('occurred_at') }} as activity_hour
from {{ ref('stg_community_activity') }}
