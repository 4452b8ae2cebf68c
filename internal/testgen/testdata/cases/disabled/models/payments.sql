select payment_id, order_id, amount from raw.payments
