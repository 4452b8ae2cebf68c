{% set payment_methods = ['credit_card', 'bank_transfer', 'coupon', 'gift_card'] %}

with payments as (

    select * from {{ ref('stg_payments') }}

)

select
    order_id,
    {%- for payment_method in payment_methods %}
    sum(
        case when payment_method = '{{ payment_method }}' then amount else 0 end
    ) as {{ payment_method }}_amount,
    {%- endfor %}
    sum(amount) as total_paid,
    max(paid_at) as last_paid_at
from payments
group by order_id
