select lines.sku, payments.payment_id
from {{ ref('stg_payments') }} as payments
inner join {{ ref('raw_payment_lines') }} as lines on payments.payment_id = lines.payment_id
