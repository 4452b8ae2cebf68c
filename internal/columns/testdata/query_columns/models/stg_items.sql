select item_id, sku, price_cents / 100.0 as price from {{ ref('raw_items') }}
