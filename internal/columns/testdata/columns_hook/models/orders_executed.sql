select {{ executed_columns(ref('stg_orders')) }}
from {{ ref('stg_orders') }}
