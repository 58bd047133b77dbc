{% macro metric_community_activity(grain) -%}
  {#- community.activity: one row per community created before the bucket's end, and '' for
      all communities. Activity in the bucket by type, memberships joined in it, distinct
      active members, 24 hourly counts (UTC hour of day) and the busiest hour (ties to the
      lower hour; null with no activity). -#}
with {{ metric_spine_ctes('community.activity', grain) }},

{{ community_dimensions() }},

activity as (
    select
        date_trunc('{{ grain }}', a.occurred_at) as time_bucket,
        a.community_id::text as community,
        a.user_id,
        a.activity_type,
        extract(hour from a.occurred_at)::int as hour
    from {{ metric_input('community_activity') }} as a
    where {{ metric_in_spine('a.occurred_at') }}
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
    where {{ metric_in_spine('m.joined_at') }}
    group by grouping sets (
        (date_trunc('{{ grain }}', m.joined_at), m.community_id),
        (date_trunc('{{ grain }}', m.joined_at))
    )
)

select
    spine.time_bucket,
    dimensions.dimension,
    {{ metric_counts('per_dimension', ['views', 'posts', 'comments', 'likes', 'shares']) }},
    coalesce(joins.joins, 0)::bigint as joins,
    coalesce(per_dimension.active_members, 0)::bigint as active_members,
    coalesce(hourly.hourly, (select jsonb_agg(0) from generate_series(1, 24))) as hourly,
    hourly.peak_hour
{{ metric_dimension_joins('dimensions', 'created_at', 'dimension', ['per_dimension', 'hourly', 'joins']) }}
{%- endmacro %}
