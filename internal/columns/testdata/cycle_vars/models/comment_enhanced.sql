select *, 1 as is_comment
from {{ ref('stg_comment') }}
