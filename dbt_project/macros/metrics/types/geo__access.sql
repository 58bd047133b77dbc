{% macro metric_geo_access(grain) -%}
  {#- geo.access: one row per community created before the bucket's end, and '' for all.
      Access attempts in the bucket; top_blocked: up to 5 (country_code, city) of blocked
      attempts, most first, then by country_code and city (a null city last). -#}
with {{ metric_spine_ctes('geo.access', grain) }},

{{ community_dimensions() }},

attempts as (
    select
        date_trunc('{{ grain }}', g.occurred_at) as time_bucket,
        g.community_id::text as community,
        g.*
    from {{ metric_input('geo_access') }} as g
    where {{ metric_in_spine('g.occurred_at') }}
),

per_dimension as (
    select
        time_bucket,
        coalesce(community, '') as dimension,
        count(*) as attempts,
        count(*) filter (where result = 'allowed') as allowed,
        count(*) filter (where result = 'blocked') as blocked,
        count(*) filter (where is_traveler) as traveler_attempts
    from attempts
    group by grouping sets ((time_bucket, community), (time_bucket))
),

blocked_places as (
    select
        time_bucket,
        coalesce(community, '') as dimension,
        country_code,
        city,
        count(*) as attempts
    from attempts
    where result = 'blocked'
    group by grouping sets (
        (time_bucket, community, country_code, city), (time_bucket, country_code, city)
    )
),

top_blocked as (
    select
        time_bucket,
        dimension,
        jsonb_agg(
            jsonb_build_object('country_code', country_code, 'city', city, 'attempts', attempts)
            order by attempts desc, country_code, city
        ) filter (where rank <= 5) as top_blocked
    from (
        select
            blocked_places.*,
            row_number() over (
                partition by time_bucket, dimension order by attempts desc, country_code, city
            ) as rank
        from blocked_places
    ) as ranked
    group by 1, 2
)

select
    spine.time_bucket,
    dimensions.dimension,
    {{ metric_counts('per_dimension', ['attempts', 'allowed', 'blocked', 'traveler_attempts']) }},
    {{ metric_ratio('per_dimension.blocked', 'per_dimension.attempts') }} * 100 as blocked_pct,
    coalesce(top_blocked.top_blocked, '[]'::jsonb) as top_blocked
{{ metric_dimension_joins('dimensions', 'created_at', 'dimension', ['per_dimension', 'top_blocked']) }}
{%- endmacro %}
