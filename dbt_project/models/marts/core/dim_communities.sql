-- One row per valid community, with its current membership.
with members as (
    select
        community_id,
        count(*) as members_ever,
        count(*) filter (where left_at is null) as current_members
    from {{ ref('stg_community_memberships') }}
    group by community_id
)

select
    communities.community_id,
    communities.name,
    communities.is_geo_restricted,
    communities.allowed_countries,
    coalesce(members.members_ever, 0) as members_ever,
    coalesce(members.current_members, 0) as current_members,
    communities.created_at,
    communities.updated_at
from {{ ref('stg_communities') }} as communities
left join members
    on communities.community_id = members.community_id
