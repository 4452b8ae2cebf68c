select 1 as job_id, 1 as client_id
