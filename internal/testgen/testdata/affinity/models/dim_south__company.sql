select company_id, company_name from {{ ref('stg_south__company') }}
