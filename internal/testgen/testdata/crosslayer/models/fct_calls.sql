select 1 as call_id, 1 as client_id
