{% macro metric_community_activity(grain) -%}
  {#- community.activity: one row per community created before the bucket's end, and '' for
      all communities. Activity in the bucket by type, memberships joined in it, distinct
      active members, 24 hourly counts (UTC hour of day) and the busiest hour (ties to the
      lower hour; null with no activity). -#}
  {%- set mt = 'community.activity' -%}
with {{ metric_spine_ctes(mt, grain) }},

{{ community_dimensions() }},

activity as (
    select
        date_trunc('{{ grain }}', a.occurred_at) as time_bucket,
        a.community_id::text as community,
        a.user_id,
        a.activity_type,
        extract(hour from a.occurred_at)::int as hour
    from {{ metric_input('community_activity') }} as a
    where a.occurred_at >= (select first_bucket from bounds)
      and a.occurred_at < (select last_end from bounds)
),

per_dimension as (
    select
        time_bucket,
        coalesce(community, '') as dimension,
        count(*) filter (where activity_type = 'view') as views,
        count(*) filter (where activity_type = 'post') as posts,
        count(*) filter (where activity_type = 'comment') as comments,
        count(*) filter (where activity_type = 'like') as likes,
        count(*) filter (where activity_type = 'share') as shares,
        count(distinct user_id) as active_members
    from activity
    group by grouping sets ((time_bucket, community), (time_bucket))
),

per_hour as (
    select time_bucket, coalesce(community, '') as dimension, hour, count(*) as n
    from activity
    group by grouping sets ((time_bucket, community, hour), (time_bucket, hour))
),

hourly as (
    select
        keys.time_bucket,
        keys.dimension,
        jsonb_agg(coalesce(per_hour.n, 0) order by hours.hour) as hourly,
        (array_agg(hours.hour order by coalesce(per_hour.n, 0) desc, hours.hour))[1] as peak_hour
    from (select distinct time_bucket, dimension from per_hour) as keys
    cross join generate_series(0, 23) as hours (hour)
    left join per_hour
        on keys.time_bucket = per_hour.time_bucket
        and keys.dimension = per_hour.dimension
        and hours.hour = per_hour.hour
    group by 1, 2
),

joins as (
    select
        date_trunc('{{ grain }}', m.joined_at) as time_bucket,
        coalesce(m.community_id::text, '') as dimension,
        count(*) as joins
    from {{ metric_input('memberships') }} as m
    where m.joined_at >= (select first_bucket from bounds)
      and m.joined_at < (select last_end from bounds)
    group by grouping sets (
        (date_trunc('{{ grain }}', m.joined_at), m.community_id),
        (date_trunc('{{ grain }}', m.joined_at))
    )
)

select
    spine.time_bucket,
    dimensions.dimension,
    coalesce(per_dimension.views, 0)::bigint as views,
    coalesce(per_dimension.posts, 0)::bigint as posts,
    coalesce(per_dimension.comments, 0)::bigint as comments,
    coalesce(per_dimension.likes, 0)::bigint as likes,
    coalesce(per_dimension.shares, 0)::bigint as shares,
    coalesce(joins.joins, 0)::bigint as joins,
    coalesce(per_dimension.active_members, 0)::bigint as active_members,
    coalesce(hourly.hourly, (select jsonb_agg(0) from generate_series(1, 24))) as hourly,
    hourly.peak_hour
from spine
inner join dimensions
    on dimensions.created_at is null or dimensions.created_at < spine.bucket_end
left join per_dimension
    on spine.time_bucket = per_dimension.time_bucket
    and dimensions.dimension = per_dimension.dimension
left join hourly
    on spine.time_bucket = hourly.time_bucket
    and dimensions.dimension = hourly.dimension
left join joins
    on spine.time_bucket = joins.time_bucket
    and dimensions.dimension = joins.dimension
{%- endmacro %}
