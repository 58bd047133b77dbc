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

{# Days of fct_events to rebuild. #}
{% macro event_days_to_rebuild() -%}
    {{ window_days() }}
    union
    {{ rechecked_days('chk_events', 'occurred_at') }}
{%- endmacro %}

{# Days of fct_api_requests to rebuild. #}
{% macro api_request_days_to_rebuild() -%}
    {{ window_days() }}
    union
    {{ rechecked_days('chk_api_requests', 'occurred_at') }}
{%- endmacro %}

{#
    Days of sessions a mart rebuilds: the window's, the start days of sessions checked
    since, and of the sessions of events checked since (a session's duration and counts
    come from its events).
#}
{% macro session_days_to_rebuild() -%}
    {{ window_days() }}
    union
    {{ rechecked_days('chk_app_sessions', 'started_at') }}
    union
    select {{ utc_date('sessions.started_at') }}
    from {{ ref('chk_app_sessions') }} as sessions
    where sessions.id in (
        select fresh.session_id from {{ checked_since_last_build('chk_events') }} as fresh
    )
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
    model's select reads it: rebuilt_days), then delete them from the mart, including days
    that will have no row at all any more (delete+insert alone only replaces days the new
    rows have).
#}
{% macro delete_days_to_rebuild(day_column, days_sql) -%}
    {% if is_incremental() %}
    create temporary table {{ rebuilt_days_table() }} on commit drop as
    select distinct day from ({{ days_sql }}) as days (day) where day is not null;
    analyze {{ rebuilt_days_table() }};
    delete from {{ this }} where {{ day_column }} in {{ rebuilt_days() }}
    {% endif %}
{%- endmacro %}
