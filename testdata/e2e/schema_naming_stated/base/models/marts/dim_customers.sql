with customers as (

    select * from {{ ref('stg_customers') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

customer_orders as (

    select
        customer_id,
        min(ordered_at) as first_ordered_at,
        max(ordered_at) as last_ordered_at,
        count(*) as order_count,
        sum(total_paid) as lifetime_value
    from orders
    where status not in ('returned', 'return_pending')
    group by customer_id

)

select
    customers.customer_id,
    customers.first_name,
    customers.last_name,
    customers.email,
    customers.country_code,
    customers.signed_up_on,
    customer_orders.first_ordered_at,
    customer_orders.last_ordered_at,
    coalesce(customer_orders.order_count, 0) as order_count,
    coalesce(customer_orders.lifetime_value, 0) as lifetime_value,
    customer_orders.customer_id is not null as is_active
from customers
left join customer_orders
    on customers.customer_id = customer_orders.customer_id
