select seller_id, sum(amount) as total
from {{ ref('raw_orders') }}
group by seller_id
