{% macro metric_segments_users(grain) -%}
  {#- segments.users: every non-admin user not deleted by the bucket's last day d, in the first
      segment whose rule holds on d: new (created on d-6..d), churned (no activity on
      d-29..d), at_risk (last active on or before d-14), power (active on >= 15 of d-29..d),
      active. For the bucket in progress, d is today. -#}
with {{ metric_spine_ctes('segments.users', grain) }},

days as (
    select spine.time_bucket, spine.as_of - interval '1 day' as last_day, spine.as_of
    from spine
),

users as (
    {{ metric_rows_before('users', 'u', 'created_at', 'last_as_of') }}
),

-- Users there on d: created by its end, not deleted before it.
eligible as (
    select
        days.time_bucket,
        count(*) as users,
        count(*) filter (where users.created_at >= days.last_day - interval '6 day') as new_users
    from days
    inner join users
        on users.created_at < days.as_of
        and (users.deleted_at is null or users.deleted_at >= days.as_of)
    group by 1
),

{{ metric_active_days_cte(29, 'last_as_of') }},

-- Each eligible, not new user active in d-29..d: their active days and last one.
recent as (
    select
        days.time_bucket,
        days.last_day,
        active_days.user_id,
        count(*) as active_count,
        max(active_days.day) as last_active
    from days
    inner join active_days
        on active_days.day between days.last_day - interval '29 day' and days.last_day
    inner join users
        on active_days.user_id = users.user_id
        and users.created_at < days.as_of
        and (users.deleted_at is null or users.deleted_at >= days.as_of)
        and users.created_at < days.last_day - interval '6 day'
    group by 1, 2, 3
),

classified as (
    select
        time_bucket,
        count(*) as with_activity,
        count(*) filter (where last_active <= last_day - interval '14 day') as at_risk,
        count(*) filter (
            where last_active > last_day - interval '14 day' and active_count >= 15
        ) as power,
        count(*) filter (
            where last_active > last_day - interval '14 day' and active_count < 15
        ) as active
    from recent
    group by 1
)

select
    spine.time_bucket,
    ''::text as dimension,
    coalesce(eligible.new_users, 0)::bigint as "new",
    (coalesce(eligible.users, 0) - coalesce(eligible.new_users, 0)
     - coalesce(classified.with_activity, 0))::bigint as churned,
    {{ metric_counts('classified', ['at_risk', 'power', 'active']) }},
    coalesce(eligible.users, 0)::bigint as users
from spine
left join eligible on spine.time_bucket = eligible.time_bucket
left join classified on spine.time_bucket = classified.time_bucket
{%- endmacro %}
