select company_id, 20 as amount from {{ ref('dim_b_company') }}
