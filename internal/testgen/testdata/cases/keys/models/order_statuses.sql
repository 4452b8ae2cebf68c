select order_id, status, order_status_hash from {{ ref('order_status_hashed') }}
