with payments as (
    select * from {{ ref('stg_payments') }}
),
settled as (
    select * from payments
    where operation in ('REFUND', 'SALE') and created_at is not null
)
select * from settled
