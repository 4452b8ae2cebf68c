select *, 1 as is_sprint
from {{ ref('stg_sprint') }}
