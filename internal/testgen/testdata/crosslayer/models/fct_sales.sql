select 1 as sale_id, 1 as client_id
