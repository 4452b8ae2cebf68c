select
    cast(ordered_at as date) as order_date,
    count(*) as order_count,
    sum(order_amount) as gross_revenue,
    sum(discount_amount) as discount_amount,
    sum(total_paid) as net_revenue
from {{ ref('fct_orders') }}
where status != 'returned'
group by cast(ordered_at as date)
