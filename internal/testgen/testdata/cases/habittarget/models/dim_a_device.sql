select 7 as device_id, 1 as company_id
