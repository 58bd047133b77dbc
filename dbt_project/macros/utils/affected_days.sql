{#
    Incremental marts rebuild the days that a run can change: not only the window's own
    days, because a row's validity depends on other rows (its duplicates, its parents), and
    those may be loaded later than the row itself. A user row loaded today can make that
    user's old events valid. So the marts end up the same whatever the order in which days
    are run.

    Which old days changed is found by comparing what staging holds now with what the mart
    holds, not by following every row loaded in the window to its children: users' rows
    are loaded again at every login, so following them rebuilt nearly every day of every
    run, while the validity of their events almost never changes. The comparison is exact
    whatever changed a row's validity (a parent loaded, a parent quarantined, a row gone
    from a rerun partition), and a rerun of the same window finds nothing more to change.

    The pre-hook that deletes these days and the model's select both evaluate them, in one
    transaction. After the delete, the comparison finds exactly the deleted days that still
    have rows to insert; days left empty stay empty. So both agree on the result.

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

{#
    Days of raw rows whose key has a row loaded in the window: their content may change
    (a duplicate key, a corrected row), whichever partition holds the row that wins.
#}
{% macro loaded_row_days(table, time_column) -%}
    select {{ utc_date('touched.' ~ time_column) }}
    from {{ source('raw', table) }} as touched
    where touched.id in ({{ keys_loaded_in_window(table) }})
{%- endmacro %}

{#
    Days where the valid rows of a staging model and the rows of the mart (this model)
    differ by key and day: a row became valid or invalid, appeared or left raw.
#}
{% macro changed_key_days(staged_model, staged_key, time_column, mart_key, day_column) -%}
    select coalesce({{ utc_date('staged.' ~ time_column) }}, mart.{{ day_column }})
    from {{ ref(staged_model) }} as staged
    full outer join {{ this }} as mart
        on staged.{{ staged_key }} = mart.{{ mart_key }}
        and {{ utc_date('staged.' ~ time_column) }} = mart.{{ day_column }}
    where staged.{{ staged_key }} is null or mart.{{ mart_key }} is null
{%- endmacro %}

{# Days of fct_events to rebuild. #}
{% macro event_days_to_rebuild() -%}
    {{ window_days() }}
    union
    {{ loaded_row_days('events', 'occurred_at') }}
    union
    {{ changed_key_days('stg_events', 'event_id', 'occurred_at', 'event_id', 'event_date') }}
{%- endmacro %}

{# Days of fct_api_requests to rebuild. #}
{% macro api_request_days_to_rebuild() -%}
    {{ window_days() }}
    union
    {{ loaded_row_days('api_requests', 'occurred_at') }}
    union
    {{ changed_key_days('stg_api_requests', 'request_id', 'occurred_at', 'request_id', 'request_date') }}
{%- endmacro %}

{#
    Days of user_daily_activity to rebuild:
    - the window's days and the days of events, sessions, community activity and geo
      access attempts loaded in it (and of the sessions those events belong to: their
      duration comes from their events);
    - the days of community activity whose community was loaded in the window;
    - the days where a user's active days or event counts differ from the mart's: an event
      or a user (or the role that makes it internal) became valid or invalid. Sessions,
      community activity and access attempts only count on a user's active days, and their
      validity follows their user's, so a change of user shows here too.
#}
{% macro user_activity_days_to_rebuild() -%}
    {{ window_days() }}
    union
    {{ loaded_row_days('events', 'occurred_at') }}
    {% for table in ['app_sessions', 'community_activity', 'geo_access_attempts'] %}
    union
    {{ loaded_row_days(table, 'started_at' if table == 'app_sessions' else 'occurred_at') }}
    {% endfor %}
    union
    select {{ utc_date('sessions.started_at') }}
    from {{ source('raw', 'app_sessions') }} as sessions
    where sessions.id in (
        select events.session_id
        from {{ source('raw', 'events') }} as events
        where events.id in ({{ keys_loaded_in_window('events') }})
    )
    union
    select {{ utc_date('activity.occurred_at') }}
    from {{ source('raw', 'community_activity') }} as activity
    where activity.community_id in ({{ keys_loaded_in_window('communities') }})
    union
    select coalesce(active.activity_date, mart.activity_date)
    from {{ ref('int_user_active_days') }} as active
    full outer join {{ this }} as mart
        on active.user_id = mart.user_id
        and active.activity_date = mart.activity_date
        and active.events = mart.actions
    where active.user_id is null or mart.user_id is null
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
