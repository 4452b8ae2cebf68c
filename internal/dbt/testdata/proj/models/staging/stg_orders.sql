{{ config(alias='orders_clean') }}
select id as order_id, customer_id, {{ money('amount') }} as amount
from {{ source('raw', 'orders') }}
where created_at >= '{{ var("start_date") }}'
