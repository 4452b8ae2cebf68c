select buyer_id, sum(amount) as total
from {{ ref('raw_orders') }}
group by buyer_id
