select 3 as sale_id, 2 as order_qty, 0.5 as discount_pct, 'x' as channel
