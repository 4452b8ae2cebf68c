select 4 as call_id, 1 as region_id
