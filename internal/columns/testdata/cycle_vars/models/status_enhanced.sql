select *, 1 as is_status
from {{ ref('stg_status') }}
