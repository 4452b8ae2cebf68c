{{ config(materialized='incremental', tags=['daily']) }}
select o.*, c.name
from {{ ref('stg_orders') }} o
join {{ ref('proj', 'stg_customers') }} c using (customer_id)
{% if is_incremental() %}where o.order_id > (select max(order_id) from {{ this }}){% endif %}
