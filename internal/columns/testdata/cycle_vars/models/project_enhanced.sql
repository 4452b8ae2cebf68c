select *, 1 as is_project
from {{ ref('stg_project') }}
