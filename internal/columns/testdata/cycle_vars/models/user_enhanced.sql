select *, 1 as is_user
from {{ ref('stg_user') }}
