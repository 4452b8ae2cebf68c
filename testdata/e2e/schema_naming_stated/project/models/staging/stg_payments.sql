-- Locally the raw_payments seed loads the payment export: build after it.
-- depends_on: {{ ref('raw_payments') }}

with source as (

    select * from {{ source('shop_raw', 'payments') }}

),

renamed as (

    select
        id as payment_id,
        order_id,
        payment_method,
        {{ cents_to_dollars('amount_cents') }} as amount,
        cast(paid_at as timestamp) as paid_at
    from source

)

select * from renamed
