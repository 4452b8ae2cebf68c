with payments as (

    select * from {{ ref('stg_payments') }}

)

select
    payment_id,
    order_id,
    payment_method,
    amount,
    paid_at,
    cast(paid_at as date) as paid_on
from payments
