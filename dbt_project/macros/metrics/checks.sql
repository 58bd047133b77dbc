{% test metric_rates_in_range(model, grain) %}
  {#- Rows of an analytics_aggregates slice whose data break METRICS.md's ranges, over the
      buckets the run recomputed: a key ending in _rate (and stickiness) outside [0, 1], one
      ending in _pct outside [0, 100] (lift_pct excepted: a lift has no bound), nps outside
      [-100, 100]. A rate with a zero denominator is null and passes. -#}
  with data_values as (
      select a.metric_type, a.time_bucket, a.dimension, kv.key, kv.value
      from {{ model }} as a
      cross join lateral jsonb_each(a.data) as kv
      where a.time_bucket >= {{ metric_lo(grain, metric_max_lookback(grain)) }}
        and a.time_bucket < {{ metric_hi() }}
        and jsonb_typeof(kv.value) = 'number'
  )

  select *
  from data_values
  where ((key like '%\_rate' or key = 'stickiness')
         and (value::numeric < 0 or value::numeric > 1))
     or (key like '%\_pct' and key <> 'lift_pct'
         and (value::numeric < 0 or value::numeric > 100))
     or (key = 'nps' and (value::numeric < -100 or value::numeric > 100))
{% endtest %}
