with products as (

    select * from {{ ref('stg_products') }}

),

sales as (

    select
        product_id,
        sum(quantity) as units_sold,
        sum(line_amount) as revenue
    from {{ ref('int_order_items_priced') }}
    group by product_id

)

select
    products.product_id,
    products.sku,
    products.product_name,
    products.category,
    products.price,
    coalesce(sales.units_sold, 0) as units_sold,
    coalesce(sales.revenue, 0) as revenue
from products
left join sales
    on products.product_id = sales.product_id
