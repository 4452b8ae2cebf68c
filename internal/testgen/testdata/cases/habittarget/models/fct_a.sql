select device_id, company_id, 30 as amount from {{ ref('dim_a_device') }}
