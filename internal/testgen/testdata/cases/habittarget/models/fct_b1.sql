select company_id, 10 as amount from {{ ref('dim_b_company') }}
