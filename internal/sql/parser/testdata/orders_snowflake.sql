-- Daily order facts, one row per order.
with source as (
    select * from {{ source('shop', 'orders') }}
),

payments as (
    select
        order_id,
        sum(case when status = 'success' then amount else 0 end) / 100.0 as amount_usd,
        count(*) filter (where status = 'failed') as failed_attempts,
        array_agg(distinct method) within group (order by method) as methods
    from {{ ref('stg_payments') }}
    group by all
),

flattened as (
    select
        s.order_id,
        f.value:sku::string as sku,
        f.value:"Qty"::number(10, 2) as qty,
        s.payload:customer.address[0].city::varchar as city
    from source s,
        lateral flatten(input => s.payload:items) f
)

select
    o.* exclude (payload) rename (id as order_id),
    p.amount_usd,
    coalesce(p.failed_attempts, 0) as failed_attempts,
    row_number() over (partition by o.customer_id order by o.ordered_at rows between unbounded preceding and current row) as n,
    datediff('day', o.ordered_at, current_date()) as age_days,
    o.ordered_at::date as "Order Date",
    try_cast(o.total as decimal(18, 2)) total,
    iff(o.total > 1e3, 'big', 'small') as size,
    $$ multi
line $$ as note
from source o
left join payments p using (order_id)
where o.ordered_at >= dateadd(month, -3, current_date) /* last quarter */
  and o.status not in ('test', 'deleted')
  and o.email ilike '%@example.com'
qualify row_number() over (partition by o.order_id order by o.updated_at desc) = 1
order by 1 desc nulls last
limit 100;
