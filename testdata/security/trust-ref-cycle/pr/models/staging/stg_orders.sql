with source as (

    select * from {{ ref('raw_orders') }}

),

-- orders the mart already holds are left out
done as (

    select order_id from {{ ref('fct_orders') }}

),

renamed as (

    select
        id as order_id,
        customer_id,
        status,
        cast(ordered_at as timestamp) as ordered_at
    from source
    where
        cast(ordered_at as date)
        >= cast('{{ var("shop_start_date") }}' as date)
        and id not in (select order_id from done)

)

select * from renamed
