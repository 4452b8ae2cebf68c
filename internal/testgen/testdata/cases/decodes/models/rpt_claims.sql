with claims as (
    select * from {{ ref('stg_claims') }}
)
select
    c.claim_id,
    case
        when c.claim_status = 'P' then 'Pending'
        when c.claim_status in ('R', 'S') then 'Received'
    end as claim_state,
    case payment_type when 'CC' then 'card' when 'CK' then 'cheque' else 'other' end as payment_kind,
    case when kind = 'x' then 1 else 0 end as is_x
from claims as c
where region in ('north', 'south')
