{% macro metric_users_growth(grain) -%}
  {#- users.growth: signups in the bucket, and the users there are at its end. -#}
with {{ metric_spine_ctes('users.growth', grain) }},

users as (
    {{ metric_rows_before('users', 'u', 'created_at') }}
),

signups as (
    select
        date_trunc('{{ grain }}', created_at) as time_bucket,
        count(*) as new_users,
        count(*) filter (where role = 'student') as new_students,
        count(*) filter (where role = 'mentor') as new_mentors
    from users
    where created_at >= (select first_bucket from bounds)
    group by 1
),

-- +1 when a user appears, -1 when a deleted one leaves; their running sum is the total.
changes as (
    select {{ metric_clamped_bucket(grain, 'created_at') }} as time_bucket, count(*) as delta
    from users
    group by 1
    union all
    select {{ metric_clamped_bucket(grain, 'greatest(created_at, deleted_at)') }}, -count(*)
    from users
    where deleted_at < (select last_end from bounds)
    group by 1
),

change_by_bucket as (
    select time_bucket, sum(delta) as delta from changes group by 1
)

select
    spine.time_bucket,
    ''::text as dimension,
    {{ metric_counts('signups', ['new_users', 'new_students', 'new_mentors']) }},
    (sum(coalesce(change_by_bucket.delta, 0)) over (order by spine.time_bucket))::bigint
        as total_users
from spine
left join signups on spine.time_bucket = signups.time_bucket
left join change_by_bucket on spine.time_bucket = change_by_bucket.time_bucket
{%- endmacro %}
