-- One row per valid assignment of a user to an experiment's variant.
select
    assignments.experiment_id,
    experiments.experiment_key,
    assignments.user_id,
    assignments.variant,
    assignments.variant = experiments.variants[1] as is_control,
    assignments.assigned_at
from {{ ref('stg_experiment_assignments') }} as assignments
inner join {{ ref('stg_experiments') }} as experiments
    on assignments.experiment_id = experiments.experiment_id
