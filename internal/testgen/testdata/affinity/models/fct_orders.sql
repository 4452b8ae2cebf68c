select 7 as order_id, 1 as company_id
