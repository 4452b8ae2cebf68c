select to_hex(md5(cast(concat(coalesce(cast(order_id as varchar), ''), '-', coalesce(cast(status as varchar), '')) as varchar))) as Order_Line_Hash, status from {{ ref('stg_orders') }}
