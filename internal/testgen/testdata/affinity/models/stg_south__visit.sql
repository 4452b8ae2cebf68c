select 7 as visit_id, 1 as owner_company_id, 1 as company_id
