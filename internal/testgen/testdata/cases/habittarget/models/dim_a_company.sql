select 1 as company_id, 'a' as name
