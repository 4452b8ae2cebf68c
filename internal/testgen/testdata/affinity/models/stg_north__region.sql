select 1 as region_id
