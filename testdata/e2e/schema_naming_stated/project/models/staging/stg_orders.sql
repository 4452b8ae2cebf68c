with source as (

    select * from {{ ref('raw_orders') }}

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

)

select * from renamed
