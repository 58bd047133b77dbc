{% macro metric_engagement_active_users(grain) -%}
  {#- engagement.active_users. Day grain: DAU, WAU (7 days ending d), MAU (30 days ending d),
      stickiness = DAU/MAU. Week and month: distinct active users, avg_dau over the bucket's
      days so far, stickiness = avg_dau/active_users. Both: returning users (active in the
      bucket and on some day before it) and return_rate. -#}
with {{ metric_spine_ctes('engagement.active_users', grain) }},

{{ metric_active_days_cte(29 if grain == 'day' else 0) }},

-- The first active day of each user active in the spine: "returning" means active before.
-- One probe of the user's active days per user (user_daily_activity is indexed on user_id).
first_active as (
    select
        a.user_id,
        (select min(d.day) from {{ metric_input('active_days') }} as d
         where d.user_id = a.user_id) as first_at
    from (
        select distinct user_id from active_days where day >= (select first_bucket from bounds)
    ) as a
),

{% if grain == 'day' %}
per_day as (
    select
        spine.time_bucket,
        count(distinct active_days.user_id)
            filter (where active_days.day = spine.time_bucket) as active_users,
        count(distinct active_days.user_id)
            filter (where active_days.day >= spine.time_bucket - interval '6 day') as wau,
        count(distinct active_days.user_id) as mau,
        count(distinct active_days.user_id) filter (
            where active_days.day = spine.time_bucket and first_active.first_at < spine.time_bucket
        ) as returning_users
    from spine
    left join active_days
        on active_days.day between spine.time_bucket - interval '29 day' and spine.time_bucket
    left join first_active on active_days.user_id = first_active.user_id
    group by 1
)

select
    time_bucket,
    ''::text as dimension,
    active_users::bigint as active_users,
    wau::bigint as wau,
    mau::bigint as mau,
    {{ metric_ratio('active_users', 'mau') }} as stickiness,
    returning_users::bigint as returning_users,
    {{ metric_ratio('returning_users', 'active_users') }} as return_rate
from per_day
{% else %}
per_bucket as (
    select
        spine.time_bucket,
        count(distinct active_days.user_id) as active_users,
        count(distinct active_days.user_id)
            filter (where first_active.first_at < spine.time_bucket) as returning_users
    from spine
    left join active_days
        on active_days.day >= spine.time_bucket and active_days.day < spine.bucket_end
    left join first_active on active_days.user_id = first_active.user_id
    group by 1
),

dau as (
    select day, count(*) as users from active_days group by 1
),

-- Mean DAU over the bucket's days so far (a day without activity counts as 0).
avg_dau as (
    select spine.time_bucket, avg(coalesce(dau.users, 0)) as avg_dau
    from spine
    cross join lateral generate_series(
        spine.time_bucket, spine.as_of - interval '1 day', interval '1 day'
    ) as bucket_days (day)
    left join dau on bucket_days.day = dau.day
    group by 1
)

select
    per_bucket.time_bucket,
    ''::text as dimension,
    per_bucket.active_users::bigint as active_users,
    avg_dau.avg_dau,
    {{ metric_ratio('avg_dau.avg_dau', 'per_bucket.active_users') }} as stickiness,
    per_bucket.returning_users::bigint as returning_users,
    {{ metric_ratio('per_bucket.returning_users', 'per_bucket.active_users') }} as return_rate
from per_bucket
left join avg_dau on per_bucket.time_bucket = avg_dau.time_bucket
{% endif %}
{%- endmacro %}
