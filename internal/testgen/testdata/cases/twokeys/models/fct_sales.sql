select
    s.sale_date,
    dmp.marketplace_sk,
    s.amount
from {{ ref('stg_sales') }} as s
left join {{ ref('dim_marketplace') }} as dmp
    on s.marketplace = dmp.marketplace_name
