select id, customer_id, amount, status, 1 as loaded
from {{ ref('raw_orders') }}
