select id as order_id, account_id, employee_id from {{ ref('raw_orders') }}
