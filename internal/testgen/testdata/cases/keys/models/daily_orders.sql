select order_date, count(*) as order_count from {{ ref('stg_orders') }} group by order_date
