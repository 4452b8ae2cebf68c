-- The payments' rows, each with its vendor: payment_id stays unique, vendor_id repeats.
select
    p.amount
    , p.payment_id
    , v.vendor_id
    , v.vendor_name
from {{ ref('stg_payments') }} as p
left join {{ ref('stg_vendors') }} as v
    on p.order_id = v.vendor_id
