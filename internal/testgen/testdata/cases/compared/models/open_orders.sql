select order_id, status, note, channel
from {{ ref('raw_orders') }}
where status <> 'void'
