{{
    config(
        materialized='incremental',
        unique_key='order_id',
        on_schema_change='append_new_columns'
    )
}}

with orders as (

    select * from {{ ref('stg_orders') }}
    {% if is_incremental() %}
    -- only orders placed after the latest one already loaded
    where ordered_at > (select max(ordered_at) from {{ this }})
    {% endif %}

),

items as (

    select
        order_id,
        count(*) as item_count,
        sum(quantity) as unit_count,
        sum(line_amount) as order_amount
    from {{ ref('int_order_items_priced') }}
    group by order_id

),

payments as (

    select * from {{ ref('int_payments_by_order') }}

)

select
    orders.order_id,
    orders.customer_id,
    orders.ordered_at,
    orders.status,
    payments.last_paid_at,
    coalesce(items.item_count, 0) as item_count,
    coalesce(items.unit_count, 0) as unit_count,
    coalesce(items.order_amount, 0) as order_amount,
    coalesce(payments.total_paid, 0) as total_paid,
    coalesce(payments.coupon_amount, 0)
    + coalesce(payments.gift_card_amount, 0) as discount_amount
from orders
left join items
    on orders.order_id = items.order_id
left join payments
    on orders.order_id = payments.order_id
