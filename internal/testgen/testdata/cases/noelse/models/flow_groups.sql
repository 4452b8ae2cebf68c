with flags as (
    select
        contact_id,
        max(case when flow_name = 'Hi' then 1 else 0 end) as has_hi,
        max(case when flow_name = 'Train' then 1 else 0 end) as has_train
    from raw.app.messages
    group by contact_id
),

grouped as (
    select
        contact_id,
        case
            when has_hi = 1 and has_train = 1 then 'both'
            when has_hi = 1 then 'hi only'
            when has_train = 1 then 'train only'
        end as flow_category,
        case
            when has_hi = 1 then 'hi'
            else 'other'
        end as first_flow
    from flags
)

select
    flow_category,
    first_flow,
    count(distinct contact_id) as user_count
from grouped
group by flow_category, first_flow
