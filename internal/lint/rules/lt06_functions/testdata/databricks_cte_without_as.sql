-- dialect: databricks
-- Spark lets a CTE's query follow its name without AS: `renamed (select ...)` is a CTE, no call.
with renamed (
    select id as customer_id
    from up
),

final (
    select customer_id from renamed
)

select
    customer_id,
    coalesce (customer_id, 0) as c -- want: LT06
from final
