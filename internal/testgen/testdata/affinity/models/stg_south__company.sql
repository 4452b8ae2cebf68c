select 1 as company_id, 'a' as company_name
