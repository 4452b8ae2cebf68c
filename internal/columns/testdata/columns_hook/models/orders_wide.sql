select
    {{ list_columns(ref('stg_orders'), except=['status']) }},
    'x' as tag
from {{ ref('stg_orders') }}
