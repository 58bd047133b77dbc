{#-
  What the metric models read from the marts, in one place: metric_input(name) is a
  subquery with the columns the metrics use, timestamps as UTC `timestamp`, and the rows of
  internal (admin) accounts left out. Only this file names the marts and their columns, so
  retargeting a mart is an edit here.

  Subqueries rather than ephemeral models: PostgreSQL materializes a CTE that a query
  names twice, which would copy a whole mart; a subquery lets the window filters reach
  the scan.

  Assumed marts (schema marts), with the staging layer's column names:
    dim_users, fct_events, fct_sessions, fct_payments, dim_subscriptions, dim_content,
    fct_enrollments, fct_practice_attempts, fct_mentor_sessions, fct_reviews,
    fct_nps_responses, dim_experiments, fct_experiment_assignments, dim_communities,
    fct_community_memberships, fct_community_activity, fct_geo_access_attempts,
    fct_error_logs, fct_api_requests, user_daily_activity
  and one intermediate table: int_experiment_conversions.
-#}

{% macro metric_mart(name) -%}
  {#- The relation of a mart: ref() by default; a dict in var('metric_marts') may point a
      name at another model while the marts are being settled. -#}
  {{ return(ref(var('metric_marts', {}).get(name, name))) }}
{%- endmacro %}

{% macro metric_not_admin(user_id) -%}
  {#- Internal accounts count in no user metric (METRICS.md). A null user (anonymous) passes. -#}
  not exists (
    select 1 from {{ metric_mart('dim_users') }} as _adm
    where _adm.user_id = {{ user_id }} and _adm.role = 'admin'
  )
{%- endmacro %}

{% macro metric_non_admin_rows(mart, alias, user_columns=['user_id']) -%}
  {#- The from and where of a mart's rows (as alias) whose users (user_columns) are not admins. -#}
  from {{ metric_mart(mart) }} as {{ alias }}
     where {% for column in user_columns %}{{ metric_not_admin(alias ~ '.' ~ column) }}
       {%- if not loop.last %} and {% endif %}{% endfor %}
{%- endmacro %}

{% macro metric_input(name) -%}
  {%- set u = metric_utc -%}
  {%- if name == 'users' -%}
    (select user_id, role, is_verified, {{ u('created_at') }} as created_at,
            {{ u('deleted_at') }} as deleted_at
     from {{ metric_mart('dim_users') }}
     where role is distinct from 'admin')
  {%- elif name == 'active_days' -%}
    {#- One row per non-admin user and UTC day with a valid event (user_daily_activity):
        what DAU, WAU and MAU count, without reading the events of 30 days. Filter on
        activity_date (indexed), not on day. -#}
    (select a.user_id, a.activity_date, a.activity_date::timestamp as day
     from {{ metric_mart('user_daily_activity') }} as a)
  {%- elif name == 'events' -%}
    (select e.event_id, e.user_id, e.session_id, e.event_type, e.event_name,
            {{ u('e.occurred_at') }} as occurred_at
     {{ metric_non_admin_rows('fct_events', 'e') }})
  {%- elif name == 'sessions' -%}
    (select s.session_id, s.user_id, s.device_type, {{ u('s.started_at') }} as started_at,
            {{ u('s.ended_at') }} as ended_at
     {{ metric_non_admin_rows('fct_sessions', 's') }})
  {%- elif name == 'payments' -%}
    (select p.payment_id, p.user_id, p.subscription_id, p.kind, p.amount_cents,
            p.currency::text as currency, p.status, {{ u('p.created_at') }} as created_at
     {{ metric_non_admin_rows('fct_payments', 'p') }})
  {%- elif name == 'subscriptions' -%}
    (select s.subscription_id, s.user_id, s.plan, s.price_cents, s.currency::text as currency,
            s.status, {{ u('s.started_at') }} as started_at, {{ u('s.ended_at') }} as ended_at
     {{ metric_non_admin_rows('dim_subscriptions', 's') }})
  {%- elif name == 'content' -%}
    (select content_id, kind, title, difficulty, skill_area, mentor_id, is_published,
            {{ u('created_at') }} as created_at
     from {{ metric_mart('dim_content') }})
  {%- elif name == 'enrollments' -%}
    (select e.enrollment_id, e.user_id, e.content_id, {{ u('e.enrolled_at') }} as enrolled_at,
            e.progress_pct, {{ u('e.completed_at') }} as completed_at
     {{ metric_non_admin_rows('fct_enrollments', 'e') }})
  {%- elif name == 'attempts' -%}
    (select a.attempt_id, a.user_id, a.content_id, {{ u('a.started_at') }} as started_at,
            {{ u('a.finished_at') }} as finished_at, a.status, a.score, a.duration_seconds
     {{ metric_non_admin_rows('fct_practice_attempts', 'a') }})
  {%- elif name == 'mentor_sessions' -%}
    (select m.mentor_session_id, m.mentor_id, m.student_id, {{ u('m.scheduled_at') }} as scheduled_at,
            m.status, m.duration_minutes, {{ u('m.created_at') }} as created_at
     {{ metric_non_admin_rows('fct_mentor_sessions', 'm', ['student_id', 'mentor_id']) }})
  {%- elif name == 'reviews' -%}
    (select r.review_id, r.user_id, r.content_id, r.mentor_id, r.rating,
            {{ u('r.created_at') }} as created_at
     {{ metric_non_admin_rows('fct_reviews', 'r') }})
  {%- elif name == 'nps' -%}
    (select n.response_id, n.user_id, n.score, {{ u('n.created_at') }} as created_at
     {{ metric_non_admin_rows('fct_nps_responses', 'n') }})
  {%- elif name == 'experiments' -%}
    (select experiment_id, experiment_key, variants, traffic_split, goal_event,
            {{ u('started_at') }} as started_at, {{ u('ended_at') }} as ended_at
     from {{ metric_mart('dim_experiments') }})
  {%- elif name == 'assignments' -%}
    (select a.experiment_id, a.user_id, a.variant, {{ u('a.assigned_at') }} as assigned_at
     {{ metric_non_admin_rows('fct_experiment_assignments', 'a') }})
  {%- elif name == 'conversions' -%}
    {#- One row per assignment with its first goal event after it (null: none yet). -#}
    (select c.experiment_id, c.user_id, c.variant, {{ u('c.assigned_at') }} as assigned_at,
            {{ u('c.converted_at') }} as converted_at
     {{ metric_non_admin_rows('int_experiment_conversions', 'c') }})
  {%- elif name == 'communities' -%}
    (select community_id, name, is_geo_restricted, {{ u('created_at') }} as created_at
     from {{ metric_mart('dim_communities') }})
  {%- elif name == 'memberships' -%}
    (select m.community_id, m.user_id, {{ u('m.joined_at') }} as joined_at,
            {{ u('m.left_at') }} as left_at
     {{ metric_non_admin_rows('fct_community_memberships', 'm') }})
  {%- elif name == 'community_activity' -%}
    (select a.activity_id, a.community_id, a.user_id, a.activity_type,
            {{ u('a.occurred_at') }} as occurred_at
     {{ metric_non_admin_rows('fct_community_activity', 'a') }})
  {%- elif name == 'geo_access' -%}
    (select g.access_attempt_id, g.user_id, g.community_id, g.country_code::text as country_code,
            g.region, g.city, g.result, g.is_traveler, {{ u('g.occurred_at') }} as occurred_at
     {{ metric_non_admin_rows('fct_geo_access_attempts', 'g') }})
  {%- elif name == 'errors' -%}
    {#- System metrics: every error counts, whoever hit it. -#}
    (select error_id, user_id, level, url, status_code, {{ u('occurred_at') }} as occurred_at,
            {{ u('resolved_at') }} as resolved_at
     from {{ metric_mart('fct_error_logs') }})
  {%- elif name == 'api_requests' -%}
    (select request_id, method, path, status_code, response_ms, user_id,
            {{ u('occurred_at') }} as occurred_at
     from {{ metric_mart('fct_api_requests') }})
  {%- else -%}
    {{ exceptions.raise_compiler_error('metric_input: no input named ' ~ name) }}
  {%- endif -%}
{%- endmacro %}

{% macro metric_utc(column) -%}
  {#- The marts keep the source's timestamptz; metrics bucket in UTC whatever the session's
      time zone is. -#}
  ({{ column }} at time zone 'UTC')
{%- endmacro %}
