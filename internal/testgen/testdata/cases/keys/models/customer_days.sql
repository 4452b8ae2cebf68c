with agg as (
    select customer_id, order_date, count(*) as orders from {{ ref('stg_orders') }} group by 1, 2
)
select *, md5(cast(coalesce(cast(customer_id as varchar), '') || '-' || coalesce(cast(order_date as varchar), '') as varchar)) as customer_day_key from agg
