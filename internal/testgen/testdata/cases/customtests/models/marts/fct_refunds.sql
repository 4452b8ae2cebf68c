select 1 as refund_id, 3 as refund_qty
