select 1 as return_id, 3 as return_qty, 0.1 as refund_pct, 'note' as note
