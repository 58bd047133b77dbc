{#-
  The buckets a metric model recomputes. The run's window is the half-open
  [window_start, window_end) of metric_window() (UTC dates or timestamps, read and checked in
  macros/utils/window.sql); a model of grain g recomputes every bucket of g whose start lies in
      [date_trunc(g, window_start) - lookback buckets, window_end)
  so a window that starts mid-bucket recomputes that whole bucket, and a bucket that starts
  before window_end but ends after it is computed from the data there is so far.
  Without a window (a bare `dbt build`), dbt_project.yml's defaults cover every bucket up to
  tomorrow, UTC (see metric_tomorrow).
-#}

{% macro metric_interval(grain, n=1) -%}
  interval '{{ n }} {{ grain }}'
{%- endmacro %}

{% macro metric_lo(grain, lookback=0) -%}
  {#- The first bucket a run recomputes. -#}
  (date_trunc('{{ grain }}', '{{ metric_window()['start'] }}'::timestamp)
   - {{ metric_interval(grain, lookback) }})
{%- endmacro %}

{% macro metric_hi() -%}
  {#- Buckets starting at or after this are not computed; rows at or after it are not read. -#}
  ('{{ metric_window()['end'] }}'::timestamp)
{%- endmacro %}

{% macro bucket_spine(grain, start, end) -%}
  {#- One row per bucket of `grain` (column time_bucket, a UTC timestamp) whose start lies in
      [date_trunc(grain, start), end): the calendar every metric joins to, so a bucket with no
      activity still gets its row. start and end are SQL expressions of type timestamp. -#}
  select bucket::timestamp as time_bucket
  from generate_series(
    date_trunc('{{ grain }}', ({{ start }})::timestamp),
    ({{ end }})::timestamp - interval '1 microsecond',
    {{ metric_interval(grain) }}
  ) as _spine (bucket)
{%- endmacro %}

{% macro metric_tomorrow() -%}
  {#- No bucket starts after today (UTC): staging rejects rows from the future. -#}
  (date_trunc('day', now() at time zone 'UTC') + interval '1 day')
{%- endmacro %}

{% macro metric_spine_ctes(metric_type, grain) -%}
  {#- Two CTEs every metric model starts with:
      spine(time_bucket, bucket_end, as_of): the buckets the run recomputes, from the later of
        the window's first bucket (minus the metric's lookback) and the first user's signup
        bucket (no empty rows for the years before the platform had users), to the earlier of
        window_end and tomorrow; as_of is the end of the data a bucket can hold so far (its
        end, or tomorrow for the bucket in progress).
      bounds(first_bucket, last_end, last_as_of): the spine's extent, to filter inputs. -#}
  {%- set lo = metric_lo(grain, metric_lookback(metric_type, grain)) -%}
  {%- set first_user = "(select date_trunc('" ~ grain ~ "', min(_fu.created_at)) from "
        ~ metric_input('users') ~ " as _fu)" -%}
  spine as (
    select
      _s.time_bucket,
      _s.time_bucket + {{ metric_interval(grain) }} as bucket_end,
      least(_s.time_bucket + {{ metric_interval(grain) }}, {{ metric_tomorrow() }}) as as_of
    from (
      {{ bucket_spine(grain, 'greatest(' ~ lo ~ ', ' ~ first_user ~ ')',
                      'least(' ~ metric_hi() ~ ', ' ~ metric_tomorrow() ~ ')') }}
    ) as _s
  ),

  bounds as (
    select
      min(time_bucket) as first_bucket,
      max(bucket_end) as last_end,
      max(as_of) as last_as_of
    from spine
  )
{%- endmacro %}

{% macro metric_clamped_bucket(grain, ts) -%}
  {#- The bucket of ts, or the spine's first bucket for anything earlier: a running sum over
      the spine then counts everything before each bucket's end. -#}
  greatest(date_trunc('{{ grain }}', {{ ts }}), (select first_bucket from bounds))
{%- endmacro %}

{% macro metric_horizon() -%}
  {#- The end of the days whose data the warehouse holds: the window's end, or later when the
      marts already hold events of later days (a rerun of an old window must not forget what
      later runs knew). A value that depends on a day at or after it is not known yet. -#}
  least(
    {{ metric_tomorrow() }},
    greatest(
      {{ metric_hi() }},
      (select date_trunc('day', max(_h.occurred_at)) + interval '1 day'
       from {{ metric_input('events') }} as _h
       where _h.occurred_at >= {{ metric_hi() }})
    )
  )
{%- endmacro %}
