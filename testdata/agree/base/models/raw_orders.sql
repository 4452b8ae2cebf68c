select 1 as order_id, 10 as buyer_id, 20 as seller_id, 5 as amount
