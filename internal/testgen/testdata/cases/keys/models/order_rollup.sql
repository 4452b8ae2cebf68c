-- A report grouped by nine dimensions: its grain, not a key whose parts are never null.
select
    order_date,
    customer_id,
    status,
    updated_at,
    upper(status) as status_upper,
    lower(status) as status_lower,
    order_date + 1 as next_day,
    customer_id + 1 as next_customer,
    length(status) as status_length,
    count(*) as order_count
from {{ ref('stg_orders') }}
group by 1, 2, 3, 4, 5, 6, 7, 8, 9
