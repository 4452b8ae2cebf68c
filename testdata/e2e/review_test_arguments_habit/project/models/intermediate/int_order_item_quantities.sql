select order_item_id, order_id, quantity from {{ ref('stg_order_items') }}
