select *, 1 as is_issue
from {{ ref('stg_issue') }}
