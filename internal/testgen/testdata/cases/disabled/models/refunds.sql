{{ config(enabled=var('refunds_enabled')) }}
select refund_id, order_id, amount, reason from raw.refunds
