select company_id, 4 as amount from {{ ref('dim_b_company') }}
