select company_id, company_name from {{ ref('stg_north__company') }}
