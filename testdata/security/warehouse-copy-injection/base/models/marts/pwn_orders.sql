select order_id as "1 as a_id, ' as s) t; COPY (select 42 as pwned) TO $${outside}/x.csv$$; select * from (select x_id from (select 1 as x_id) q where x_id" from {{ ref('stg_orders') }}
