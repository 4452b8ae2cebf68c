select id as customer_id, name as customer_name, email from {{ ref('raw_customers') }}
