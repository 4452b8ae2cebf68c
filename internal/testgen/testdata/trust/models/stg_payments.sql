select payment_id, order_id, amount from {{ ref('raw_payments') }}
