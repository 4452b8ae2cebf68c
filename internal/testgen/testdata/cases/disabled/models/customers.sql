select customer_id, name from raw.customers
