{#
    Incremental marts rebuild the days that rows loaded in this run's window can change:
    not only the window's own days, because a row's validity depends on other rows (its
    duplicates, its parents), and those may be loaded later than the row itself. A user
    row loaded today makes that user's old events valid: their days are rebuilt. So the
    marts end up the same whatever the order in which days are run.

    Each macro returns a query with one column, `day`.
#}

{# The days of the window itself. #}
{% macro window_days() -%}
    select spine.date_day as day from ({{ date_spine(window_start(), window_end()) }}) as spine
{%- endmacro %}

{# Keys of a raw table with a row loaded in the window. #}
{% macro keys_loaded_in_window(table, key='id') -%}
    select loaded.{{ key }} from {{ source('raw', table) }} as loaded where {{ loaded_in_window('loaded') }}
{%- endmacro %}

{# Raw sessions whose validity may change: loaded in the window, or their user was. #}
{% macro sessions_touched_in_window() -%}
    select touched.id
    from {{ source('raw', 'app_sessions') }} as touched
    where touched.id in ({{ keys_loaded_in_window('app_sessions') }})
        or touched.user_id in ({{ keys_loaded_in_window('users') }})
{%- endmacro %}

{# Raw events whose validity or content may change because of rows loaded in the window. #}
{% macro events_touched_in_window() -%}
    select touched.occurred_at, touched.session_id
    from {{ source('raw', 'events') }} as touched
    where touched.id in ({{ keys_loaded_in_window('events') }})
        or touched.user_id in ({{ keys_loaded_in_window('users') }})
        or touched.session_id in ({{ sessions_touched_in_window() }})
{%- endmacro %}

{# Days of fct_events to rebuild. #}
{% macro event_days_to_rebuild() -%}
    {{ window_days() }}
    union
    select {{ utc_date('events.occurred_at') }} from ({{ events_touched_in_window() }}) as events
{%- endmacro %}

{# Days of fct_api_requests to rebuild: requests loaded in the window, or whose user was. #}
{% macro api_request_days_to_rebuild() -%}
    {{ window_days() }}
    union
    select {{ utc_date('requests.occurred_at') }}
    from {{ source('raw', 'api_requests') }} as requests
    where requests.id in ({{ keys_loaded_in_window('api_requests') }})
        or requests.user_id in ({{ keys_loaded_in_window('users') }})
{%- endmacro %}

{#
    Days of user_daily_activity to rebuild: those of its events (as above), of sessions
    touched directly or through their events (duration and bounce depend on them), and of
    community activity and geo access attempts loaded, or whose user or community was.
#}
{% macro user_activity_days_to_rebuild() -%}
    {{ event_days_to_rebuild() }}
    union
    select {{ utc_date('sessions.started_at') }}
    from {{ source('raw', 'app_sessions') }} as sessions
    where sessions.id in ({{ sessions_touched_in_window() }})
        or sessions.id in (select events.session_id from ({{ events_touched_in_window() }}) as events)
    {% for table in ['community_activity', 'geo_access_attempts'] %}
    union
    select {{ utc_date('activity.occurred_at') }}
    from {{ source('raw', table) }} as activity
    where activity.id in ({{ keys_loaded_in_window(table) }})
        or activity.user_id in ({{ keys_loaded_in_window('users') }})
        or activity.community_id in ({{ keys_loaded_in_window('communities') }})
    {% endfor %}
{%- endmacro %}

{#
    Pre-hook of an incremental mart: delete the days to rebuild, including days that will
    have no row at all any more (delete+insert alone only replaces days the new rows have).
#}
{% macro delete_days_to_rebuild(day_column, days_sql) -%}
    {% if is_incremental() %}
    delete from {{ this }} where {{ day_column }} in ({{ days_sql }})
    {% endif %}
{%- endmacro %}
