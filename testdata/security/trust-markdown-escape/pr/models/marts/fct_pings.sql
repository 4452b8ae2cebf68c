select
    order_id,
    1 as "<img src=x onerror=alert(1)>",
    2 as "@org/team please look at #1",
    3 as "</details><!-- hidden -->`` ```"
from {{ ref('stg_orders') }}
