select
    category,
    sum(line_amount) as revenue
from {{ ref('int_order_items_priced') }}
group by category
order by revenue desc
