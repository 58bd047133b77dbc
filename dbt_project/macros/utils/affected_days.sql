{#
    Incremental marts rebuild the days that a run can change: not only the window's own
    days, because a row's validity depends on other rows (its duplicates, its parents), and
    those may be loaded later than the row itself. A user row loaded today can make that
    user's old events valid. So the marts end up the same whatever the order in which days
    are run.

    Staging already knows which rows can have changed: it re-checks them, and each checked
    row carries when it was last checked (macros/quarantine/recheck.sql). A mart rebuilds
    the days of the rows checked since it last read them (macros/utils/watermarks.sql),
    and the window's days, which hold the rows a reload removed. That is one index range
    scan per checked table, not a comparison of staging with the whole mart.

    The pre-hook keeps the days in a temporary table, then deletes them; the model's select
    rebuilds the same days from it (one transaction, one connection), including days that
    have no row any more.

    Each *_days_to_rebuild macro returns a query with one column, `day`.
#}

{# The days of the window itself. #}
{% macro window_days() -%}
    select spine.date_day as day from ({{ date_spine(window_start(), window_end()) }}) as spine
{%- endmacro %}

{# Days (of `time_column`) of the rows of a checked table checked since this mart read it. #}
{% macro rechecked_days(checked_model, time_column) -%}
    select {{ utc_date('fresh.' ~ time_column) }} from {{ checked_since_last_build(checked_model) }} as fresh
{%- endmacro %}

{# The window's days and the days of the rows of a checked table checked since this mart read it. #}
{% macro window_and_rechecked_days(checked_model, time_column) -%}
    {{ window_days() }}
    union
    {{ rechecked_days(checked_model, time_column) }}
{%- endmacro %}

{# Days of fct_events to rebuild. #}
{% macro event_days_to_rebuild() -%}
    {{ window_and_rechecked_days('chk_events', 'occurred_at') }}
{%- endmacro %}

{# Days of fct_api_requests to rebuild. #}
{% macro api_request_days_to_rebuild() -%}
    {{ window_and_rechecked_days('chk_api_requests', 'occurred_at') }}
{%- endmacro %}

{#
    Days of sessions a mart rebuilds: the window's, the start days of sessions checked
    since, and of the sessions of events checked since (a session's duration and counts
    come from its events).
#}
{% macro session_days_to_rebuild() -%}
    {{ window_and_rechecked_days('chk_app_sessions', 'started_at') }}
    union
    select {{ utc_date('sessions.started_at') }}
    from {{ ref('chk_app_sessions') }} as sessions
    where sessions.id = any(array(
        select fresh.session_id from {{ checked_since_last_build('chk_events') }} as fresh
    ))
{%- endmacro %}

{# The checked tables user_daily_activity reads, for its watermarks. #}
{% macro user_activity_checked_models() -%}
    {{ return(['chk_events', 'chk_app_sessions', 'chk_community_activity', 'chk_geo_access_attempts', 'chk_communities', 'chk_users']) }}
{%- endmacro %}

{#
    Days of user_daily_activity to rebuild:
    - the window's days, and the days of events, sessions, community activity and geo
      access attempts checked since the mart was built (a row loaded, or whose verdict
      changed: its user or parent arrived or left), and of the sessions those events
      belong to (a session's duration comes from its events);
    - the days of activity in communities checked since;
    - for users checked since: the days of their rows in the mart when they are no longer
      counted (rejected, or now internal), and the days of their events when they are
      counted but have no row yet (a role that stopped being internal). A user whose
      validity changed also changed their events' verdicts, so those show above too.
#}
{% macro user_activity_days_to_rebuild() -%}
    {{ session_days_to_rebuild() }}
    union
    {{ rechecked_days('chk_events', 'occurred_at') }}
    union
    {{ rechecked_days('chk_community_activity', 'occurred_at') }}
    union
    {{ rechecked_days('chk_geo_access_attempts', 'occurred_at') }}
    union
    select {{ utc_date('activity.occurred_at') }}
    from {{ ref('chk_community_activity') }} as activity
    where activity.community_id in (
        select fresh.id from {{ checked_since_last_build('chk_communities') }} as fresh
    )
    union
    select mart.activity_date
    from {{ this }} as mart
    where mart.user_id in (
        select fresh.id from {{ checked_since_last_build('chk_users') }} as fresh
        where not exists (
            select from {{ ref('stg_users') }} as counted
            where counted.user_id = fresh.id and not counted.is_internal
        )
    )
    union
    select {{ utc_date('events.occurred_at') }}
    from {{ ref('stg_events') }} as events
    where events.user_id in (
        select counted.user_id from {{ ref('stg_users') }} as counted
        where not counted.is_internal
            and counted.user_id in (select fresh.id from {{ checked_since_last_build('chk_users') }} as fresh)
            and not exists (select from {{ this }} as mart where mart.user_id = counted.user_id)
    )
{%- endmacro %}

{# The temporary table of the days this build rebuilds (the pre-hook fills it). #}
{% macro rebuilt_days_table() -%}
    {{ this.identifier }}__days_to_rebuild
{%- endmacro %}

{# The days this build rebuilds, for the model's select. #}
{% macro rebuilt_days() -%}
    (select rebuilt.day from {{ rebuilt_days_table() }} as rebuilt)
{%- endmacro %}

{#
    Pre-hook of an incremental mart: keep the days to rebuild in a temporary table (the
    model's select reads it: rebuilt_days) and log them for the marts that read this one
    (macros/utils/watermarks.sql), then delete them from the mart, including days that
    will have no row at all any more (delete+insert alone only replaces days the new rows
    have).
#}
{% macro delete_days_to_rebuild(day_column, days_sql) -%}
    {% if is_incremental() %}
    create temporary table {{ rebuilt_days_table() }} on commit drop as
    select distinct day from ({{ days_sql }}) as days (day) where day is not null;
    analyze {{ rebuilt_days_table() }};
    insert into {{ rebuilt_days_relation() }} (model, day, rebuilt_at)
    select '{{ this.identifier }}', rebuilt.day, {{ checked_at() }} from {{ rebuilt_days() }} as rebuilt;
    delete from {{ this }} where {{ day_column }} in {{ rebuilt_days() }}
    {% endif %}
{%- endmacro %}

{# The facts of one row per user and day that daily_platform counts, with their day column. #}
{% macro platform_user_facts() -%}
    {{ return({
        'fct_practice_attempts': ('user_id', 'attempt_date'),
        'fct_mentor_sessions': ('student_id', 'scheduled_date'),
        'fct_reviews': ('user_id', 'review_date'),
        'fct_nps_responses': ('user_id', 'response_date'),
        'fct_community_activity': ('user_id', 'activity_date'),
        'fct_geo_access_attempts': ('user_id', 'attempt_date'),
        'fct_payments': ('user_id', 'payment_date'),
    }) }}
{%- endmacro %}

{# The condition on the rows of a fact of platform_user_facts() that int_platform_day_totals counts. #}
{% macro platform_fact_on_days(fact, alias=none) -%}
    {#- A day the model builds (its CTE days), a user it counts (its CTE users). -#}
    {%- set user_column, day_column = platform_user_facts()[fact] -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    {{ prefix ~ user_column }} in (select users.user_id from users)
    and {{ prefix ~ day_column }} = any(array(select days.date_day from days))
{%- endmacro %}

{# The checked facts int_platform_day_totals reads, with the time that gives a row's day. #}
{% macro platform_checked_facts() -%}
    {{ return({
        'chk_practice_attempts': 'started_at',
        'chk_mentor_sessions': 'scheduled_at',
        'chk_reviews': 'created_at',
        'chk_nps_responses': 'created_at',
        'chk_community_activity': 'occurred_at',
        'chk_geo_access_attempts': 'occurred_at',
        'chk_payments': 'created_at',
        'chk_error_logs': 'occurred_at',
    }) }}
{%- endmacro %}

{# The checked tables int_platform_day_totals reads (for its watermarks): the facts and users. #}
{% macro platform_checked_models() -%}
    {{ return(platform_checked_facts().keys() | list + ['chk_users']) }}
{%- endmacro %}

{# The incremental marts int_platform_day_totals reads, by the days they rebuilt. #}
{% macro platform_read_marts() -%}
    {{ return(['user_daily_activity', 'fct_sessions', 'fct_api_requests']) }}
{%- endmacro %}

{#
    Days of int_platform_day_totals to rebuild:
    - the window's days, the days the marts it reads rebuilt since (activity, sessions, API
      requests), and the days of the rows of the other facts checked since;
    - the days of the rows of users checked since (a user that becomes, or stops being, an
      admin counts no more, or again, on every day of their rows);
    - for a day of activity rebuilt, the 29 days after it up to the last processed day: its
      weekly and monthly active users count that day.
#}
{% macro platform_days_to_rebuild() -%}
    {#- Only processed days (int_processed_range), as in a first build: a row checked since
        may carry a day outside them (a quarantined row dated in the future), and 29 days
        after a day of activity reach past the last one. -#}
    select candidate.day
    from (
        {{ window_days() }}
        {%- for mart in platform_read_marts() %}
        union
        {{ rebuilt_since_last_build(mart) }}
        {%- endfor %}
        {%- for checked_model, time_column in platform_checked_facts().items() %}
        union
        {{ rechecked_days(checked_model, time_column) }}
        {%- endfor %}
        {%- for fact, columns in platform_user_facts().items() %}
        union
        select facts.{{ columns[1] }} from {{ ref(fact) }} as facts
        where facts.{{ columns[0] }} in (select fresh.id from {{ checked_since_last_build('chk_users') }} as fresh)
        {%- endfor %}
        union
        select sessions.session_date from {{ ref('fct_sessions') }} as sessions
        where sessions.user_id in (select fresh.id from {{ checked_since_last_build('chk_users') }} as fresh)
        union
        select activity.day + offsets.n
        from ({{ rebuilt_since_last_build('user_daily_activity') }}) as activity
        cross join generate_series(1, 29) as offsets (n)
    ) as candidate (day)
    inner join {{ ref('int_processed_range') }} as processed
        on candidate.day between processed.first_date and processed.as_of_date
{%- endmacro %}

{#
    The first day of user_progress_daily to rebuild, for every user. Its rows are running
    totals, so a change on a day changes every later day: the earliest of the window's
    first day, the days user_daily_activity rebuilt since, the days of practice attempts
    checked since, and the day after the last one built. A daily run rebuilds its own day.
    Read once when the model runs and written into its SQL as a literal, so that the
    planner sees how few rows it selects and reads them by the day index.
#}
{% macro progress_rebuild_from() -%}
    {%- if not (execute and is_incremental()) %}{{ return(none) }}{% endif -%}
    {%- set query -%}
        select least(
            {{ window_start() }},
            (select min(logged.day) from ({{ rebuilt_since_last_build('user_daily_activity') }}) as logged),
            (select min(fresh.day) from ({{ rechecked_days('chk_practice_attempts', 'started_at') }}) as fresh (day)),
            (select max(built.activity_date) + 1 from {{ this }} as built)
        )::text
    {%- endset -%}
    {{ return(run_query(query).columns[0].values()[0]) }}
{%- endmacro %}

{# The temporary table of the users user_progress_daily rebuilds from a day of their own. #}
{% macro progress_users_table() -%}
    {{ this.identifier }}__users_to_rebuild
{%- endmacro %}

{# The columns of a row of user_progress_daily that the next day's running totals go on from, read from `relation`. #}
{% macro progress_row_columns(relation) -%}
    {%- for column in ['user_id', 'activity_date', 'sessions_completed', 'scored_attempts', 'score_total',
                       'practice_seconds', 'last_active'] -%}
        {{ relation }}.{{ column }}{{ ',\n            ' if not loop.last else '' }}
    {%- endfor -%}
{%- endmacro %}

{#
    Pre-hook of user_progress_daily: delete every user's rows from `first_day` on; and for
    users checked since (their deletion day or their role may have changed), keep in a
    temporary table the day they are rebuilt from (the day after their deletion or after
    their last row, whichever is first; in full when they have no row: new, counted again,
    or no longer counted, whose rows go and none come back) and delete their rows from it.
#}
{% macro delete_progress_to_rebuild(first_day) -%}
    {% if is_incremental() %}
    delete from {{ this }} where activity_date >= date '{{ first_day }}';
    create temporary table {{ progress_users_table() }} on commit drop as
    select
        checked.user_id,
        case
            when built.last_day is null or counted.user_id is null then '-infinity'::date
            else least(built.last_day + 1, {{ utc_date('counted.deleted_at') }} + 1, date '{{ first_day }}')
        end as from_day
    from (select distinct fresh.id as user_id from {{ checked_since_last_build('chk_users') }} as fresh) as checked
    left join {{ ref('stg_users') }} as counted
        on checked.user_id = counted.user_id and not counted.is_internal
    left join lateral (
        select max(mine.activity_date) as last_day from {{ this }} as mine where mine.user_id = checked.user_id
    ) as built on true
    where checked.user_id is not null;
    analyze {{ progress_users_table() }};
    delete from {{ this }} as built
    using {{ progress_users_table() }} as checked
    where
        built.user_id = checked.user_id
        and built.activity_date >= checked.from_day
        and checked.from_day < date '{{ first_day }}'
    {% endif %}
{%- endmacro %}
