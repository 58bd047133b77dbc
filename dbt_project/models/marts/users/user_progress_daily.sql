{%- set first_day = progress_rebuild_from() %}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_progress_to_rebuild(progress_rebuild_from()) }}",
        post_hook=[
            "{{ record_watermarks(['chk_practice_attempts', 'chk_users']) }}",
            "{{ record_rebuilt_watermarks(['user_daily_activity']) }}",
            "analyze {{ this }}",
        ],
        indexes=[{'columns': ['activity_date']}, {'columns': ['user_id', 'activity_date'], 'unique': True}],
    )
}}
-- Per non-admin user and day, from the user's first activity (first valid event or
-- practice attempt) to the last processed day (or the day the account was deleted):
-- cumulative practice progress at the end of that day. Attempts count on the day they
-- started, as in the learning.attempts metric.
-- Incremental: each user is rebuilt from a day on (macros/utils/affected_days.sql), adding
-- what happened from that day to the running totals of the day before it, so a daily run
-- writes one row per user and reads one day, not every user's history.
with range as (
    select as_of_date from {{ ref('int_processed_range') }}
),

rebuild as (
    {% if first_day %}
        select date '{{ first_day }}' as first_day
    {% else %}
        select '-infinity'::date as first_day
    {% endif %}
),

-- Each counted user with the day their rows are rebuilt from (null: not rebuilt).
users as (
    select
        counted.user_id,
        {{ utc_date('counted.deleted_at') }} as deleted_date,
        {% if first_day %}
            least(rebuild.first_day, checked.from_day) as from_day
        {% else %}
            rebuild.first_day as from_day
        {% endif %}
    from {{ ref('stg_users') }} as counted
    cross join rebuild
    {% if first_day %}
        left join {{ progress_users_table() }} as checked
            on counted.user_id = checked.user_id
    {% endif %}
    where not counted.is_internal
),

-- The running totals at the end of the day before each user's first rebuilt day: the
-- day before the common first day (one day of the day index), and the users rebuilt from
-- an earlier day of their own.
base as (
    {% if first_day %}
        select
            {{ progress_row_columns('built') }}
        from {{ this }} as built
        where built.activity_date = date '{{ first_day }}' - 1
        union all
        select
            {{ progress_row_columns('built') }}
        from {{ progress_users_table() }} as checked
        inner join {{ this }} as built
            on checked.user_id = built.user_id and built.activity_date = checked.from_day - 1
        where checked.from_day < date '{{ first_day }}'
    {% else %}
        select
            null::bigint as user_id,
            null::date as activity_date,
            0::numeric as sessions_completed,
            0::numeric as scored_attempts,
            0::numeric as score_total,
            0::numeric as practice_seconds,
            null::date as last_active
        where false
    {% endif %}
),

attempts as (
    select
        attempts.user_id,
        attempts.attempt_date as activity_day,
        count(*) filter (where attempts.status = 'completed') as completed,
        sum(attempts.score) filter (where attempts.status = 'completed' and attempts.score is not null) as score_sum,
        count(attempts.score) filter (where attempts.status = 'completed') as scored,
        sum(attempts.duration_seconds) as duration_seconds
    from users
    inner join {{ ref('fct_practice_attempts') }} as attempts
        on users.user_id = attempts.user_id and users.from_day <= attempts.attempt_date
    group by attempts.user_id, attempts.attempt_date
),

-- The active days from the common first day on, by the day index, and the earlier days of
-- the users rebuilt from a day of their own.
active_days as (
    select
        recent.user_id,
        recent.activity_date
    from {{ ref('user_daily_activity') }} as recent
    where recent.activity_date >= (select rebuild.first_day from rebuild)
    {% if first_day %}
        union all
        select
            earlier.user_id,
            earlier.activity_date
        from {{ ref('user_daily_activity') }} as earlier
        where
            earlier.user_id = any(array(
                select checked.user_id from {{ progress_users_table() }} as checked
                where checked.from_day < date '{{ first_day }}'
            ))
            and earlier.activity_date < date '{{ first_day }}'
    {% endif %}
),

active as (
    select
        users.user_id,
        active_days.activity_date as activity_day
    from users
    inner join active_days
        on users.user_id = active_days.user_id and users.from_day <= active_days.activity_date
),

first_activity as (
    select
        activity.user_id,
        min(activity.activity_day) as first_day
    from (
        select
            user_id,
            activity_day
        from attempts
        union all
        select
            user_id,
            activity_day
        from active
    ) as activity
    group by activity.user_id
),

-- Continuing users go on from their rebuilt day; the others start at their first activity.
starts as (
    select
        users.user_id,
        users.deleted_date,
        case when base.user_id is not null then users.from_day else first_activity.first_day end as first_day
    from users
    left join base
        on users.user_id = base.user_id and base.activity_date = users.from_day - 1
    left join first_activity
        on users.user_id = first_activity.user_id
),

spine as (
    select
        starts.user_id,
        series.day_start::date as activity_date
    from starts
    cross join range
    cross join
        lateral generate_series(
            starts.first_day::timestamp,
            least(range.as_of_date, coalesce(starts.deleted_date, range.as_of_date))::timestamp,
            interval '1 day'
        ) as series (day_start)
    where starts.first_day is not null
),

daily as (
    select
        spine.user_id,
        spine.activity_date,
        {{ coalesce_to_zero('attempts', ['completed', 'score_sum', 'scored', 'duration_seconds']) }},
        active.activity_day as active_day
    from spine
    left join attempts
        on spine.user_id = attempts.user_id and spine.activity_date = attempts.activity_day
    left join active
        on spine.user_id = active.user_id and spine.activity_date = active.activity_day
),

running as (
    select
        daily.user_id,
        daily.activity_date,
        coalesce(base.sessions_completed, 0) + sum(daily.completed) over history as sessions_completed,
        coalesce(base.scored_attempts, 0) + sum(daily.scored) over history as scored_attempts,
        coalesce(base.score_total, 0) + sum(daily.score_sum) over history as score_total,
        coalesce(base.practice_seconds, 0) + sum(daily.duration_seconds) over history as practice_seconds,
        greatest(base.last_active, max(daily.active_day) over history) as last_active
    from daily
    inner join starts
        on daily.user_id = starts.user_id
    left join base
        on starts.user_id = base.user_id and base.activity_date = starts.first_day - 1
    window history as (
        partition by daily.user_id order by daily.activity_date rows between unbounded preceding and current row
    )
)

select
    user_id,
    activity_date,
    sessions_completed,
    round(score_total / nullif(scored_attempts, 0), 2) as average_score,
    round(practice_seconds / 60.0, 2) as practice_minutes,
    last_active,
    scored_attempts,
    score_total,
    practice_seconds
from running
