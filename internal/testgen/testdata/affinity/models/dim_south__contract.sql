select 7 as contract_id, 1 as company_id
