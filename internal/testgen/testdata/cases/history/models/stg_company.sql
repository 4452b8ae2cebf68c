select md5(cast(company_id as varchar)) as hk_company, company_id from {{ source('raw', 'company') }}
