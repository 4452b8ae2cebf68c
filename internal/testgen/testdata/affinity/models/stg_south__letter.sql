select 5 as letter_id, 1 as region_id
