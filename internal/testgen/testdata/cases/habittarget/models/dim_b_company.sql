select 1 as company_id, 'b' as name
