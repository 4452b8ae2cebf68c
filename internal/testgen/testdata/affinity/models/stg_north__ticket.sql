select 3 as ticket_id, 1 as region_id
