{#-
  Where a metric's SQL is: metric_type `<a>.<b>` -> macro metric_<a>_<b>(grain) in
  macros/metrics/types/<a>__<b>.sql (the dot becomes a double underscore), which its typed
  models fct_metric_<a>_<b>_<daily|weekly|monthly> call. E.g. retention.cohort ->
  types/retention__cohort.sql -> metric_retention_cohort. A type's file holds its macro and
  the helpers only it uses; helpers several types use are in macros/metrics/shared.sql.

  The metric catalog of METRICS.md as data: every metric_type, the family name its typed models
  carry (fct_metric_<family>_<daily|weekly|monthly>), and for each grain it exists at, its
  lookback: how many buckets before the window's first one a run recomputes, because the
  window's rows change them (D30 retention of a cohort finishes 30 days after it; a funnel
  cohort's 14-day conversion becomes known 14 days after its end; a session that starts
  before midnight takes its duration from events after it, so the next bucket's events change
  the previous bucket's sessions).
-#}

{% macro metric_catalog() -%}
  {{ return({
    'users.growth': {'family': 'users_growth', 'grains': {'day': 0, 'week': 0, 'month': 0}},
    'engagement.active_users': {'family': 'engagement_active_users',
                                'grains': {'day': 0, 'week': 0, 'month': 0}},
    'engagement.sessions': {'family': 'engagement_sessions',
                            'grains': {'day': 1, 'week': 1, 'month': 1}},
    'retention.cohort': {'family': 'retention_cohort', 'grains': {'day': 30, 'week': 4, 'month': 1}},
    'conversion.funnel': {'family': 'conversion_funnel',
                          'grains': {'day': 15, 'week': 3, 'month': 1}},
    'revenue.summary': {'family': 'revenue_summary', 'grains': {'day': 0, 'week': 0, 'month': 0}},
    'subscriptions.summary': {'family': 'subscriptions_summary',
                              'grains': {'day': 0, 'week': 0, 'month': 0}},
    'learning.attempts': {'family': 'learning_attempts', 'grains': {'day': 0, 'week': 0, 'month': 0}},
    'content.performance': {'family': 'content_performance', 'grains': {'week': 0, 'month': 0}},
    'courses.performance': {'family': 'courses_performance', 'grains': {'week': 0, 'month': 0}},
    'mentoring.sessions': {'family': 'mentoring_sessions', 'grains': {'day': 0, 'week': 0, 'month': 0}},
    'reviews.summary': {'family': 'reviews_summary', 'grains': {'day': 0, 'week': 0, 'month': 0}},
    'nps.summary': {'family': 'nps_summary', 'grains': {'day': 0, 'week': 0, 'month': 0}},
    'experiments.results': {'family': 'experiments_results', 'grains': {'day': 0}},
    'segments.users': {'family': 'segments_users', 'grains': {'day': 0, 'week': 0, 'month': 0}},
    'community.activity': {'family': 'community_activity', 'grains': {'day': 0, 'week': 0, 'month': 0}},
    'geo.access': {'family': 'geo_access', 'grains': {'day': 0, 'week': 0, 'month': 0}},
    'errors.summary': {'family': 'errors_summary', 'grains': {'day': 0, 'week': 0, 'month': 0}},
    'system.api': {'family': 'system_api', 'grains': {'day': 0, 'week': 0, 'month': 0}},
    'platform.overview': {'family': 'platform_overview', 'grains': {'day': 0, 'week': 0, 'month': 0}},
  }) }}
{%- endmacro %}

{% macro metric_grain_suffix(grain) -%}
  {{ return({'day': 'daily', 'week': 'weekly', 'month': 'monthly'}[grain]) }}
{%- endmacro %}

{% macro metric_model_name(metric_type, grain) -%}
  {{ return('fct_metric_' ~ metric_catalog()[metric_type]['family'] ~ '_' ~ metric_grain_suffix(grain)) }}
{%- endmacro %}

{% macro metric_types_of_grain(grain) -%}
  {#- The metric types that exist at a grain, in catalog order. -#}
  {%- set out = [] -%}
  {%- for metric_type, spec in metric_catalog().items() if grain in spec['grains'] -%}
    {%- do out.append(metric_type) -%}
  {%- endfor -%}
  {{ return(out) }}
{%- endmacro %}

{% macro metric_lookback(metric_type, grain) -%}
  {{ return(metric_catalog()[metric_type]['grains'][grain]) }}
{%- endmacro %}

{% macro metric_max_lookback(grain) -%}
  {%- set ns = namespace(n=0) -%}
  {%- for metric_type in metric_types_of_grain(grain) -%}
    {%- set ns.n = [ns.n, metric_lookback(metric_type, grain)] | max -%}
  {%- endfor -%}
  {{ return(ns.n) }}
{%- endmacro %}
