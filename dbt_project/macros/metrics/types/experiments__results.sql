{% macro metric_experiments_results(grain) -%}
  {#- experiments.results (day grain): per experiment (dimension = its key) and day it ran,
      cumulative from its start to the day's end. converted = an assigned user with a
      goal_event event after assigned_at. best_variant: the highest conversion rate (ties:
      the earlier variant, so the control wins a tie). p_value: pooled two-proportion z-test
      of best vs control. srm_p_value: chi-square of the assigned counts against
      traffic_split (a JSON object variant -> weight, or an array of weights in variant
      order; weights are normalised), k - 1 degrees of freedom. -#}
with {{ metric_spine_ctes('experiments.results', grain) }},

experiments as (
    select x.*
    from {{ metric_input('experiments') }} as x
    where x.started_at < (select last_end from bounds)
      and (x.ended_at is null or x.ended_at >= (select first_bucket from bounds))
),

variants as (
    select
        x.experiment_id,
        x.experiment_key,
        x.started_at,
        x.ended_at,
        v.variant,
        v.ord,
        case jsonb_typeof(x.traffic_split)
            when 'object' then (x.traffic_split ->> v.variant)::numeric
            when 'array' then (x.traffic_split ->> (v.ord - 1)::int)::numeric
        end as weight
    from experiments as x
    cross join lateral unnest(x.variants) with ordinality as v (variant, ord)
),

-- Each assignment with its first goal event after it (int_experiment_conversions keeps
-- them up to date incrementally), so the cumulative counts read one row per assignment.
assignments as (
    select a.*
    from {{ metric_input('conversions') }} as a
    where a.experiment_id in (select experiment_id from experiments)
      and a.assigned_at < (select last_end from bounds)
),

changes as (
    select
        {{ metric_clamped_bucket(grain, 'a.assigned_at') }} as time_bucket,
        a.experiment_id,
        a.variant,
        count(*) as assigned,
        0 as converted
    from assignments as a
    group by 1, 2, 3
    union all
    select
        {{ metric_clamped_bucket(grain, 'a.converted_at') }},
        a.experiment_id,
        a.variant,
        0,
        count(*)
    from assignments as a
    where a.converted_at < (select last_end from bounds)
    group by 1, 2, 3
),

per_bucket as (
    select time_bucket, experiment_id, variant, sum(assigned) as assigned, sum(converted) as converted
    from changes
    group by 1, 2, 3
),

cumulative as (
    select
        spine.time_bucket,
        spine.bucket_end,
        variants.experiment_id,
        variants.experiment_key,
        variants.started_at,
        variants.ended_at,
        variants.variant,
        variants.ord,
        variants.weight,
        {{ metric_running_sums('per_bucket', ['assigned', 'converted']) }}
    from spine
    cross join variants
    left join per_bucket
        on spine.time_bucket = per_bucket.time_bucket
        and variants.experiment_id = per_bucket.experiment_id
        and variants.variant = per_bucket.variant
    window w as (partition by variants.experiment_id, variants.variant order by spine.time_bucket)
),

-- The days each experiment ran in, with each variant's rate and its expected share.
ran as (
    select
        cumulative.*,
        {{ metric_ratio('converted', 'assigned') }} as conversion_rate,
        sum(assigned) over e * weight / nullif(sum(weight) over e, 0) as expected,
        count(*) over e - count(weight) over e as missing_weights
    from cumulative
    where started_at < bucket_end and (ended_at is null or ended_at >= time_bucket)
    window e as (partition by time_bucket, experiment_id)
),

summary as (
    select
        time_bucket,
        experiment_key,
        jsonb_agg(
            jsonb_build_object(
                'variant', variant,
                'assigned', assigned::bigint,
                'converted', converted::bigint,
                'conversion_rate', conversion_rate
            ) order by ord
        ) as variants,
        (array_agg(variant order by ord))[1] as control,
        (array_agg(conversion_rate order by ord))[1] as control_rate,
        (array_agg(assigned order by ord))[1] as control_assigned,
        (array_agg(converted order by ord))[1] as control_converted,
        case when max(conversion_rate) is not null then
            (array_agg(variant order by conversion_rate desc nulls last, ord))[1]
        end as best_variant,
        max(conversion_rate) as best_rate,
        (array_agg(assigned order by conversion_rate desc nulls last, ord))[1] as best_assigned,
        (array_agg(converted order by conversion_rate desc nulls last, ord))[1] as best_converted,
        min(assigned) as min_assigned,
        min(converted) as min_converted,
        count(*) as variant_count,
        max(missing_weights) as missing_weights,
        sum(assigned) as total_assigned,
        -- An assigned variant expected to get none: the split is certainly violated.
        bool_or(expected = 0 and assigned > 0) as impossible_assignment,
        sum(power(assigned - expected, 2) / expected) filter (where expected > 0) as chi_square
    from ran
    group by 1, 2
),

tested as (
    select
        summary.*,
        case when best_variant is not null then
            {{ pooled_two_proportion_p('summary.best_converted', 'summary.best_assigned',
                                       'summary.control_converted', 'summary.control_assigned') }}
        end as p_value,
        case
            when total_assigned = 0 or missing_weights > 0 or variant_count < 2 then null
            when impossible_assignment then 0.0::float8
            else {{ chi_square_p('summary.chi_square', 'summary.variant_count - 1') }}
        end as srm_p_value
    from summary
)

select
    time_bucket,
    experiment_key as dimension,
    variants,
    control,
    best_variant,
    {{ metric_ratio('best_rate - control_rate', 'control_rate') }} * 100 as lift_pct,
    p_value,
    srm_p_value,
    coalesce(p_value < 0.05, false) and min_assigned >= 50 and min_converted >= 5 as significant,
    case
        when coalesce(p_value < 0.05, false) and min_assigned >= 50 and min_converted >= 5
            and srm_p_value >= 0.001
            then best_variant
    end as winner
from tested
{%- endmacro %}
