select order_id, customer_id from raw.shop.orders
