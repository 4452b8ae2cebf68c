-- Every order's payments add up to its line amounts
-- (coupons and gift cards included).
select
    order_id,
    order_amount,
    total_paid
from {{ ref('fct_orders') }}
where abs(order_amount - total_paid) > 0.01
