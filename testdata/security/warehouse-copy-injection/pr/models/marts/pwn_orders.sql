select
    cast(order_id as varchar) as "1 as a_id, ' as s) t; COPY (select 42 as pwned) TO $${outside}/x.csv$$; select * from (select x_id from (select 1 as x_id) q where x_id",
    customer_id
from {{ ref('stg_orders') }}
