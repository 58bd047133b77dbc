-- One row per valid membership of a user in a community.
select
    community_id,
    user_id,
    joined_at,
    left_at,
    left_at is null as is_current,
    updated_at
from {{ ref('stg_community_memberships') }}
