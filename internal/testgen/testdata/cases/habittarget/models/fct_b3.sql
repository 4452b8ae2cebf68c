select company_id, 3 as amount from {{ ref('dim_b_company') }}
