-- One row per valid NPS answer: promoters 9-10, passives 7-8, detractors 0-6. The comment
-- is left out of the marts (it may name people).
select
    response_id,
    user_id,
    score,
    case
        when score >= 9 then 'promoter'
        when score >= 7 then 'passive'
        else 'detractor'
    end as category,
    comment is not null and trim(comment) <> '' as has_comment,
    created_at,
    {{ utc_date('created_at') }} as response_date
from {{ ref('stg_nps_responses') }}
