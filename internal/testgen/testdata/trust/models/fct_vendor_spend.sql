-- One row per vendor: the spend is grouped by vendor, and the vendor joined on its key.
with spend as (
    select
        vendor_id
        , sum(amount) as total_spend
    from {{ ref('raw_vendor_payments') }}
    group by vendor_id
)

select
    s.vendor_id
    , s.total_spend
    , v.vendor_name
from spend as s
left join {{ ref('stg_vendors') }} as v
    on s.vendor_id = v.vendor_id
