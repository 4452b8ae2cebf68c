with payments as (
    select * from {{ ref('stg_payments') }}
)

SELECT
    payment_method,
    count(*) as payment_count,
    sum(amount)   as total_amount,
    max(amount) as largest_payment
from payments
group by payment_method
