select 1 as client_id, 'x' as client_name
