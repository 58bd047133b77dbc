-- The valid experiment_assignments rows, typed and renamed; the rejected ones are in quarantine.
select
    experiment_id,
    user_id,
    variant,
    assigned_at,
    _partition,
    _loaded_at
from {{ ref('chk_experiment_assignments') }}
where _is_valid
