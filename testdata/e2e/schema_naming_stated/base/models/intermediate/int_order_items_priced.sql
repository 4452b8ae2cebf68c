with order_items as (

    select * from {{ ref('stg_order_items') }}

),

products as (

    select * from {{ ref('stg_products') }}

)

select
    order_items.order_item_id,
    order_items.order_id,
    order_items.product_id,
    products.category,
    order_items.quantity,
    products.price as unit_price,
    order_items.quantity * products.price as line_amount
from order_items
inner join products
    on order_items.product_id = products.product_id
