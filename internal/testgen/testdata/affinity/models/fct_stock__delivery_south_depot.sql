select 7 as delivery_id, 1 as company_id
