select order_id, 1 as new_col
from {{ ref('stg_orders') }}
