select 1 as visit_id, 1 as client_id
