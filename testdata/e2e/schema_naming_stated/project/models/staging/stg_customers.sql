with source as (

    select * from {{ ref('raw_customers') }}

),

renamed as (

    select
        id as customer_id,
        first_name,
        last_name,
        country as country_code,
        lower(email) as email,
        cast(signed_up_at as date) as signed_up_on
    from source

)

select * from renamed
